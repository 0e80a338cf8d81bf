"""Heavy build steps run apart, and builds that stop cleanly."""
