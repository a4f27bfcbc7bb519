# micronn_train: runs on the board and on the host. The loop over a data set that the blog wrote
# inline: epochs, shuffling, accuracy. Each step is NeuralNet.train_row (micronn_backprop).
import random

SEQUENCE = (list, tuple)


def accuracy(net, rows):
    """Fraction of rows whose every output lands on the right side of 0.5."""
    ok = 0
    for x, y in rows:
        if not isinstance(y, SEQUENCE):
            y = [y]
        p = net.predict(x)
        for j in range(len(p)):
            if (p[j] > 0.5) != (y[j] > 0.5):
                break
        else:
            ok += 1
    return ok / len(rows)


def fit(net, rows, epochs=1, shuffle=True, seed=None, report=None):
    """Train on rows [(x, y), ...] for whole epochs; returns the last epoch's mean loss.

    shuffle reorders a copy each epoch (Fisher-Yates, so it needs only random.randint,
    which every port has); report(epoch, loss, accuracy) is called after each epoch.
    """
    if not rows:
        raise ValueError('fit: no rows to train on')
    if seed is not None:
        random.seed(seed)
    order = list(rows)
    loss = 0.0
    for epoch in range(1, epochs + 1):
        if shuffle:
            for i in range(len(order) - 1, 0, -1):
                j = random.randint(0, i)
                order[i], order[j] = order[j], order[i]
        loss = 0.0
        for x, y in order:
            loss += net.train_row(x, y)
        loss /= len(order)
        if report:
            report(epoch, loss, accuracy(net, rows))
    return loss
