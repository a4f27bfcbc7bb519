# main.py: runs on the board at boot. The tool reaches the REPL by interrupting it (Ctrl-C).
# Biggest module first: each compiles best while the heap is still empty and unfragmented.
import micronn
import micronn_model
import micronn_serve
micronn_serve.main()
