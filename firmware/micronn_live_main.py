# micronn_live_main: main.py on a board flashed with a gesture model (`micronn flash MODEL`,
# its .gesture file beside it). At boot, with no host program, it reads the model and runs
# micronn_live's loop: 'action confidence' lines over serial several times a second, and on a
# micro:bit the action's first letter. The flash puts before it the lines that name the model
# file (m), its actions (a) and the loop's settings (w), so main.py is the one file that
# switches a board to a new model: written last, a flash cut before it leaves the board
# running the model before. The loop sleeps between samples: Ctrl-C ends it, for the tool.
# On a 16 KB micro:bit a main.py holding the steps that load the net and the loop's modules
# leaves no piece of heap big enough to compile them: it runs micronn_live_steps' lines one by
# one, each compiled alone and then dropped, as `micronn live` sends them. The loop is called
# here, at the top: inside an exec() the features nest deeper than its C stack allows.
import gc
f = open('micronn_live_steps.py')
while 1:
    s = f.readline()
    if not s:
        break
    exec(s)
    gc.collect()
f.close()
f = s = None
gc.collect()
print('micronn live %s: %s' % (m, ' '.join(a)))
micronn_live.run(n, a, *w)
