"""Multi-agency meetings: confidentiality statements, agendas, packs, minutes, actions."""
