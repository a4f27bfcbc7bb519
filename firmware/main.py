# main.py: runs on the board at boot. The tool reaches the REPL by interrupting it (Ctrl-C).
# Biggest module first: each compiles best while the heap is still empty and unfragmented;
# the demo too, before the model is read: after that a 16 KB micro:bit has no heap to compile.
# A collect after each import, as the tool's own check after a flash does: the next module
# then compiles into the whole of what is free, not around the last one's leftovers.
import gc
import micronn
gc.collect()
import micronn_model
gc.collect()
import micronn_serve
gc.collect()
try:
    from micronn_demo import idle  # the board's standalone demo, where its profile has one
except Exception:
    idle = None  # none, or one that cannot start here (no such pin, no heap): serve anyway
gc.collect()
micronn_serve.main(idle)
