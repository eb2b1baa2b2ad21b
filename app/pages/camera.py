"""Camera page: each camera's chain from the IPU and its sensors or the USB camera to PipeWire."""

from __future__ import annotations

from hwinspector.collectors.av_sources import AvReading
from hwinspector.i18n import N_
from hwinspector.models.camera_chain import camera_picture
from hwinspector.models.graphics_elements import ChainPicture
from hwinspector.pages.chain_page import ChainPage


class CameraPage(ChainPage):
    page_id = "camera"
    title = N_("Camera")
    order = 43
    description = N_("Each camera as one chain: IPU and sensors or USB camera, driver, V4L2 nodes, libcamera, PipeWire")
    what = N_("Camera")
    subsystems = ("video4linux", "media")
    empty_text = N_(
        "No USB camera, no image processing unit and no V4L2 node. An internal camera that is missing here is "
        "switched off (firmware setup or a kill switch), or its IPU driver is not built."
    )

    def picture(self, reading: AvReading) -> ChainPicture:
        return camera_picture(reading.camera, reading.label)
