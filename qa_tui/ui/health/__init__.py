"""How the providers are doing: the header's health line and bar (scaling from one provider to an org), and the `h` panel with each key's budget, pace and trouble."""
