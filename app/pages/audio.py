"""Audio page: each sound card's chain from the controller to the sound server's nodes."""

from __future__ import annotations

from hwinspector.collectors.av_sources import AvReading
from hwinspector.i18n import N_
from hwinspector.models.audio_chain import audio_picture
from hwinspector.models.graphics_elements import ChainPicture
from hwinspector.pages.chain_page import ChainPage


class AudioPage(ChainPage):
    page_id = "audio"
    title = N_("Audio")
    order = 42
    description = N_("Each sound card as one chain: device, driver, DSP firmware, ALSA card, UCM profile, sound server")
    what = N_("Audio")
    subsystems = ("sound",)
    empty_text = N_(
        "No PCI, USB or platform audio device and no ALSA card. Virtual machines often have none; on a laptop "
        "this means the audio controller is hidden (firmware setup) or its driver is not built."
    )

    def picture(self, reading: AvReading) -> ChainPicture:
        return audio_picture(reading.audio, reading.label)
