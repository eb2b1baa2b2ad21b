"""GPU readers per vendor (amdgpu, i915/xe, NVIDIA), DRM fdinfo clients, and never waking a sleeping GPU."""
