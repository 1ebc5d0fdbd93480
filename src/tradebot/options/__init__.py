"""Options: pricing and greeks, chains, multi-leg structures, synthetic chains and calibration."""
