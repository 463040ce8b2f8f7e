"""Student-mobility connectors: UNESCO UIS, OECD SDMX, IIE Open Doors seed."""
