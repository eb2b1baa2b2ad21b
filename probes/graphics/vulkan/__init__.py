"""Vulkan drivers and devices through the loader, or from vulkaninfo text."""
