"""The enablement scorecard and its checks, judged over a machine's sections."""
