# micronn_live_steps: what micronn_live_main runs at boot, one statement a line (see there).
# The net first, on the emptiest heap; its reader run from a dict then dropped (a micro:bit
# has no sys.modules to unload a module from); then the loop's modules, one a line.
g = {}
exec(open('micronn_gmodel.py').read(), g)
n = g['load'](m)
g = None
import micronn_features
import micronn_live
import micronn_record
