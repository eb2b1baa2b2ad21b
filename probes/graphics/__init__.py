"""Graphics: DRM cards and connectors, EDID, OpenGL/EGL, Vulkan, the session, GPU channels."""
