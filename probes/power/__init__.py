"""Power and thermal: power supplies, RAPL, hwmon, thermal zones, CPU frequency and idle."""
