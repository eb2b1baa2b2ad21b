"""EDID decoding: base block, CTA-861 and DisplayID extensions."""
