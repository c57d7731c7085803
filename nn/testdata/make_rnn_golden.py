"""Writes rnn_golden.json: PyTorch's RNN, LSTM, GRU and their cells in
float64 -- outputs, final states and the gradient of a random linear
function of them with respect to every weight, the input and the initial
states. Run with /work/shared/tools/torch-python make_rnn_golden.py."""
import json
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
I, H, B = 3, 4, 2


def short(x):
    """Rounds to 4 decimals, so that the inputs take little room in the file
    (they are still exact float64 values); outputs and gradients stay full."""
    return torch.round(x * 1e4) / 1e4


def randn(*shape):
    return short(torch.randn(*shape)).requires_grad_()


def shorten(m):
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(short(p))
    return m


def t(x):
    return {"shape": list(x.shape), "data": x.detach().reshape(-1).tolist()}


def record(case, module, x, states, outs):
    """Backward from sum(u_k * out_k) with fresh N(0,1) weights u_k."""
    ups = [short(torch.randn_like(o)) for o in outs]
    loss = sum((u * o).sum() for u, o in zip(ups, outs))
    loss.backward()
    case["x"] = t(x)
    case["params"] = {n: t(p) for n, p in module.named_parameters()}
    case["param_names"] = [n for n, _ in module.named_parameters()]
    case["states"] = [t(s) for s in states]
    case["upstream"] = [t(u) for u in ups]
    case["outs"] = [t(o) for o in outs]
    grads = {n: t(p.grad) for n, p in module.named_parameters()}
    grads["x"] = t(x.grad)
    for i, s in enumerate(states):
        grads[f"state{i}"] = t(s.grad)
    case["grads"] = grads
    return case


def layer_case(kind, T, layers, bidir, batch_first, init_state, bias=True):
    cls = {"rnn_tanh": torch.nn.RNN, "rnn_relu": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    kw = dict(num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidir)
    if kind.startswith("rnn"):
        kw["nonlinearity"] = kind[4:]
    m = shorten(cls(I, H, **kw))
    x = randn(*((B, T, I) if batch_first else (T, B, I)))
    D = 2 if bidir else 1
    states = []
    if init_state:
        states = [randn(layers * D, B, H) for _ in range(2 if kind == "lstm" else 1)]
    arg = None if not states else (tuple(states) if kind == "lstm" else states[0])
    out, hn = m(x, arg) if arg is not None else m(x)
    outs = [out] + (list(hn) if kind == "lstm" else [hn])
    name = f"{kind}/T{T}/L{layers}/D{D}/bf{int(batch_first)}/h0{int(init_state)}/bias{int(bias)}"
    case = dict(name=name, kind=kind, cell=False, T=T, layers=layers, bidirectional=bidir,
                batch_first=batch_first, bias=bias)
    return record(case, m, x, states, outs)


def cell_case(kind, init_state, bias=True):
    cls = {"rnn_tanh": torch.nn.RNNCell, "rnn_relu": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[kind]
    kw = dict(bias=bias)
    if kind.startswith("rnn"):
        kw["nonlinearity"] = kind[4:]
    m = shorten(cls(I, H, **kw))
    x = randn(B, I)
    states = []
    if init_state:
        states = [randn(B, H) for _ in range(2 if kind == "lstm" else 1)]
    arg = None if not states else (tuple(states) if kind == "lstm" else states[0])
    out = m(x, arg) if arg is not None else m(x)
    outs = list(out) if kind == "lstm" else [out]
    name = f"{kind}Cell/h0{int(init_state)}/bias{int(bias)}"
    case = dict(name=name, kind=kind, cell=True, T=1, layers=1, bidirectional=False, batch_first=False, bias=bias)
    return record(case, m, x, states, outs)


cases = []
for kind in ["rnn_tanh", "rnn_relu", "lstm", "gru"]:
    cases.append(layer_case(kind, 7, 1, False, False, True))
    cases.append(layer_case(kind, 1, 1, False, True, False))
    cases.append(layer_case(kind, 7, 2, True, True, True))
    cases.append(layer_case(kind, 7, 2, True, False, False))
    cases.append(layer_case(kind, 1, 2, True, False, True))
    cases.append(layer_case(kind, 7, 2, False, True, True, bias=False))
    cases.append(cell_case(kind, True))
    cases.append(cell_case(kind, False))
    cases.append(cell_case(kind, True, bias=False))

with open("rnn_golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "input": I, "hidden": H, "batch": B, "cases": cases}, f)
