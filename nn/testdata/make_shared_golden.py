"""Generates shared_golden.json: the names under which PyTorch's
nn.Sequential lists the parameters of a module used more than once.

named_parameters() (and so parameters(), what an optimizer gets) yields a
shared parameter once, under the first name it is reached by; that is the
order and naming descent's Parameters() and StateDict follow. PyTorch's
state_dict() also lists the later aliases (here "state_dict"), which
descent's StateDict leaves out, as safetensors' save_model does.

The layers are Linear(2, 2) "a", Linear(2, 1) "b" and ReLU "r"; a nested
list is an inner nn.Sequential, and an inner list named by a string reuses
the inner Sequential built under that name.

Run: ../../../shared/tools/torch-python make_shared_golden.py  (from this directory)
"""
import json

import torch.nn as nn

cases = {
    "linear twice": ["a", "r", "a"],
    "linear twice, then another": ["a", "r", "a", "r", "b"],
    "no sharing": ["a", "r", "b"],
    "inner sequential twice": [["s", "a"], "r", ["s", "a"]],
    "inner sequential inside another": [["s", "a"], ["u", ["s", "a"], "b"]],
    "linear inside and outside": ["a", ["t", "r", "a", "b"]],
}

out = []
for name, spec in cases.items():
    mods = {"a": nn.Linear(2, 2), "b": nn.Linear(2, 1), "r": nn.ReLU()}
    inner = {}

    def build(s):
        if isinstance(s, str):
            return mods[s]
        if s[0] not in inner:
            inner[s[0]] = nn.Sequential(*[build(x) for x in s[1:]])
        return inner[s[0]]

    m = nn.Sequential(*[build(s) for s in spec])
    out.append({
        "name": name,
        "spec": spec,
        "parameters": [n for n, _ in m.named_parameters()],
        "state_dict": list(m.state_dict().keys()),
    })

with open("shared_golden.json", "w") as f:
    json.dump(out, f, indent=1)
