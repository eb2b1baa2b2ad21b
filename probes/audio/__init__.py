"""Audio: from the controller to the sound server's nodes (ALSA, DSP firmware, UCM, PipeWire/PulseAudio)."""
