"""Cameras: IPU and sensors or UVC, V4L2 nodes, libcamera and PipeWire."""
