# main.py: runs on the board at boot. The tool reaches the REPL by interrupting it (Ctrl-C).
# Biggest module first: each compiles best while the heap is still empty and unfragmented;
# the demo too, before the model is read: after that a 16 KB micro:bit has no heap to compile.
import micronn
import micronn_model
import micronn_serve
try:
    from micronn_demo import idle  # the board's standalone demo, where its profile has one
except Exception:
    idle = None  # none, or one that cannot start here (no such pin, no heap): serve anyway
micronn_serve.main(idle)
