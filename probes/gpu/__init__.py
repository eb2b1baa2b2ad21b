"""Per-vendor GPU readers (amdgpu, i915/xe, NVIDIA), DRM fdinfo clients, and the rule that a sleeping GPU is never woken."""
