# micronn_backprop: runs on the board and on the host. Backprop: NeuralNet.train_row comes here.
# Apart from micronn.py so a board that only predicts never compiles it.
#
# The blog's terms, per neuron: p is its output (feed forward), y the weighted sum of its
# inputs before the sigmoid, L the loss. Backprop finds d_L/d_y for every neuron, output layer
# first; then d_L/d_b = d_L/d_y and d_L/d_w = d_L/d_y * (the parent's output), and the weight
# update is w -= learning_rate * d_L/d_w. A parent's d_L/d_p is the sum over its children of
# d_L/d_y * (the weight between them), taken before the update.
import math

SEQUENCE = (list, tuple)  # made once: a tuple built in train_row is garbage at every step


def train_row(net, x, y):
    """One gradient step on cross-entropy for net; returns the row's loss."""
    outputs = net.predict(x)  # feed forward: every layer's outputs stay in net.outputs
    targets = y if isinstance(y, SEQUENCE) else [y]
    if len(targets) != len(outputs):
        import micronn_check
        micronn_check.check(targets, len(outputs), 'targets')  # says what is wrong
    # d_L/d_y of every neuron, one list per layer, made on the first step: a board that only
    # predicts never pays for them
    try:
        d_L__d_y = net.errors
    except AttributeError:
        d_L__d_y = None
    if not d_L__d_y or len(d_L__d_y) != len(net.outputs):
        d_L__d_y = net.errors = [[0.0] * len(out) for out in net.outputs]
    loss = output_error(net, outputs, targets, d_L__d_y[-1])
    layer = len(net.layer_weights) - 1
    while layer >= 0:
        # the first hidden layer's parents are the inputs, whose errors nobody uses
        if not layer:
            update_layer(net.layer_weights[0], x, d_L__d_y[0], net.learning_rate, None)
            break
        parents = net.outputs[layer - 1]
        d_L__d_p = d_L__d_y[layer - 1]  # the parents' d_L/d_p, turned into d_L/d_y below
        update_layer(net.layer_weights[layer], parents, d_L__d_y[layer], net.learning_rate,
                     d_L__d_p)
        if net._act and net.activations[layer - 1] != 'sigmoid':
            net._act.slope(net.activations[layer - 1], parents, d_L__d_p)
        else:
            for k in range(len(parents)):
                p = parents[k]
                d_L__d_p[k] = d_L__d_p[k] * p * (1.0 - p)  # the sigmoid's slope, p * (1 - p)
        layer -= 1
    return loss


def output_error(net, outputs, targets, d_L__d_y):
    """The row's cross-entropy; d_L/d_y of each output into d_L__d_y."""
    if net._act and net.activations[-1] != 'sigmoid':  # softmax or identity: micronn_act's
        return net._act.loss(net.activations[-1], outputs, targets, d_L__d_y)
    loss = 0.0
    log = math.log
    for j in range(len(outputs)):
        p = outputs[j]
        target = targets[j]
        try:
            ok = 0 <= target <= 1  # False for nan
        except TypeError:
            ok = False
        if not ok:
            import micronn_check
            micronn_check.check(targets, len(outputs), 'targets', True)  # says what is wrong
        # cross-entropy through the sigmoid: d_L/d_y = p - target, no division by p or 1 - p
        d_L__d_y[j] = p - target
        # a log costs as much as a whole layer on a micro:bit: skip the one a 0/1 target zeroes
        if target:
            loss -= target * log(p if p > 1e-12 else 1e-12)
        if target != 1:
            p = 1.0 - p
            loss -= (1 - target) * log(p if p > 1e-12 else 1e-12)
    return loss


def update_layer(row, parent_outputs, d_L__d_y, rate, parents_d_L__d_p):
    """The weight update of one layer (row: per neuron its bias, then a weight per parent);
    with parents_d_L__d_p, also each parent's d_L/d_p, from the weights before the update."""
    if parents_d_L__d_p:
        for k in range(len(parents_d_L__d_p)):
            parents_d_L__d_p[k] = 0.0
    at = 0  # where the neuron's bias is in row
    for d in d_L__d_y:
        step = rate * d  # learning_rate * d_L/d_y, once per neuron, not once per weight
        row[at] -= step  # d_L/d_b = d_L/d_y
        at += 1
        if parents_d_L__d_p:
            k = 0
            for parent_output in parent_outputs:
                w = row[at]
                parents_d_L__d_p[k] += d * w
                row[at] = w - step * parent_output  # d_L/d_w = d_L/d_y * the parent's output
                at += 1
                k += 1
        else:
            for parent_output in parent_outputs:
                row[at] -= step * parent_output
                at += 1
