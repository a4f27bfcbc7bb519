# Host only. `micronn bench`: what micronn costs on each runtime, reported in BENCHMARKS.md.
