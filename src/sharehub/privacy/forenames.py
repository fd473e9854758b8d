"""Forenames, to tell a name a writer typed from other capitalised words when
the hub holds nobody of that name ("Jane Okafor" is offered for linking;
"Police Station" is not). Taken from the person providers of Faker, already a
dependency, in the languages most spoken in England and Wales; loaded once.
"""

from __future__ import annotations

import functools
import importlib

LOCALES = (
    "en_GB", "en_US", "en_IE", "ga_IE", "en_NZ", "en_IN", "en_PK", "en_NG", "en_KE",
    "pl_PL", "ro_RO", "pt_PT", "it_IT", "fr_FR", "de_DE", "es_ES", "lt_LT", "tr_TR",
    "yo_NG", "tw_GH", "sw", "zu_ZA", "nl_NL",
)  # fmt: skip
# Welsh forenames, and others common in England and Wales that the providers
# above lack (Welsh councils, forces and health boards use the hub too).
MORE = """
aled alun aneurin angharad anwen arwel bethan bleddyn branwen bryn bronwen cadi carwyn carys
catrin ceri cerys dafydd delyth dewi dilys eirian eirlys eleri elin elis emrys eurig ffion
gareth geraint gethin glenys glyn gruffydd gwen gwenllian gwilym gwyn gwyneth hefin huw idris
ieuan iolo ioan iwan llinos lowri mabli mared megan meinir meirion morgan myfanwy nerys nia
owain rhian rhiannon rhodri rhys sian sioned tegan tomos trystan wyn ynyr
mabel edna ethel elsie ivy winifred mavis doreen maureen brenda gladys
priya anjali deepa sunita harpreet gurpreet jaspreet manpreet navdeep simran
""".split()


@functools.cache
def forenames() -> frozenset[str]:
    names: set[str] = set(MORE)
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            names.update(n.casefold() for n in getattr(provider, attribute, ()) if " " not in n)
    return frozenset(names)


def is_forename(word: str) -> bool:
    return word.casefold() in forenames()
