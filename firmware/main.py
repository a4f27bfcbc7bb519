# main.py: runs on the board at boot: the newest model that loads, served over the serial
# console (micronn_serve), and the board's standalone demo where its profile has one. The
# tool reaches the REPL by interrupting it. A collect after each import: each compiles best into
# a heap still in one piece; the demo too, before the model is read.
import gc
try:
    import micronn_exports  # only on a board flashed with `micronn flash --export`
    served = micronn_exports.newest()  # an export newer than every model file, if any
except ImportError:
    served = None
gc.collect()
if not served:
    import micronn_model
    gc.collect()
    import micronn
    gc.collect()
import micronn_serve
gc.collect()
try:
    from micronn_demo import idle  # the demo on the board's buttons and lights
except Exception:
    idle = None  # none, or one that cannot start here (no such pin, no heap): serve anyway
gc.collect()
import micronn_lines  # the server's input: apart, and after the demo, each compiles here
gc.collect()
if not served:
    served = micronn_serve.newest(micronn.NeuralNet)
micronn_serve.main(served, idle)
