# main.py: runs on the board at boot. The tool reaches the REPL by interrupting it (Ctrl-C).
import micronn_serve
micronn_serve.main()
