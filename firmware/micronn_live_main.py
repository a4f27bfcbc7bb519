# micronn_live_main: main.py on a board flashed with a gesture model (`micronn flash MODEL`,
# its .gesture file beside it). At boot, with no host program, it reads the model and runs
# micronn_live's loop: 'action confidence' lines over serial several times a second, and on a
# micro:bit the action's first letter. The flash appends the call that starts it, naming the
# model file and the loop's settings, so main.py is the one file that switches a board to a
# new model: written last, a flash cut before it leaves the board running the model before.
# The loop sleeps between samples, so Ctrl-C ends it and the tool gets in.
import gc
import micronn_gmodel
gc.collect()
import micronn_live
gc.collect()


def go(path, actions, n, ms, every, sensor):
    net = micronn_gmodel.load(path)
    gc.collect()
    print('micronn live %s: %s' % (path, ' '.join(actions)))
    micronn_live.run(net, actions, n, ms, every, sensor)
