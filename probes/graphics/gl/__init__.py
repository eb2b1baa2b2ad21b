"""OpenGL through EGL and GLX, read in a child process, or from captured text."""
