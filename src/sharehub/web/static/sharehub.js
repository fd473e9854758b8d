// Progressive enhancement only: every journey works without JavaScript.
import { initAll as initGovuk } from "./frontend/govuk-frontend.min.js";
import { initAll as initMoj } from "./frontend/moj-frontend.min.js";

initGovuk();
initMoj();
