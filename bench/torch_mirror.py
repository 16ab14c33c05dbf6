"""The PyTorch mirror of a FaceStream embedding network, built from `TrainStepBench --describe` JSON.

The description (bench/src/main/java/io/facestream/bench/NetworkDescription.java) lists every vertex of the DL4J
graph from the input to the L2-normalised embedding in a topological order, with its inputs, hyper-parameters,
output shape and parameter count. `build` turns each into the PyTorch module of the same computation and `check`
verifies, node by node, that the mirror has the same output shapes and the same number of parameters as DL4J
(batch-norm running mean and variance count as parameters in DL4J and as buffers in PyTorch, so both are counted).
Nothing about a particular architecture is written here: when the trainer's model changes, the mirror follows.

Differences that do not change the work done: DL4J's "same" padding on an even input with stride 2 pads one pixel
on the bottom/right only, PyTorch's symmetric padding k//2 gives the same output size from a window shifted by one
pixel; the L2 normalisation's epsilon is PyTorch's.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.fusion as fusion

ACTIVATIONS = {"relu": lambda: nn.ReLU(inplace=True), "identity": lambda: None}


def _activation(node):
    kind = node.get("activation", "identity")
    if kind not in ACTIVATIONS:
        raise ValueError(f"node {node['name']}: unknown activation {kind!r}")
    return ACTIVATIONS[kind]()


def _padding(node):
    if node["padding"] == "same":
        k = node["kernel"]
        if k[0] % 2 == 0 or k[1] % 2 == 0:
            raise ValueError(f"node {node['name']}: same padding of an even kernel {k} has no symmetric mirror")
        return (k[0] // 2, k[1] // 2)
    return tuple(node["padding"])


class _Node(nn.Module):
    """One vertex: a module over its inputs, then its activation."""

    def __init__(self, node, module, activation=None, flatten=False):
        super().__init__()
        self.kind = node["type"]
        self.module = module
        self.activation = activation
        self.flatten = flatten

    def forward(self, *xs):
        if self.kind == "add":
            out = xs[0]
            for x in xs[1:]:
                out = out + x
            return out
        if self.kind == "l2norm":
            return F.normalize(xs[0], dim=1)
        x = xs[0]
        if self.flatten:
            x = torch.flatten(x, 1)
        out = self.module(x)
        return self.activation(out) if self.activation is not None else out


class Mirror(nn.Module):
    """The DL4J graph in PyTorch: forward returns the last node's output (the embedding)."""

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.input_name = spec["inputName"]
        shapes = {self.input_name: list(spec["input"])}
        self.order = []
        self.inputs = {}
        self.nodes = nn.ModuleDict()
        for node in spec["nodes"]:
            name = node["name"]
            ins = node["inputs"]
            for i in ins:
                if i not in shapes:
                    raise ValueError(f"node {name} reads {i}, which comes later or not at all")
            self.nodes[self._key(name)] = self._module(node, [shapes[i] for i in ins])
            self.order.append(name)
            self.inputs[name] = ins
            shapes[name] = list(node["shape"])
        self.output = self.order[-1]

    @staticmethod
    def _key(name):
        # ModuleDict keys may not contain '.'
        return name.replace(".", "·")

    @staticmethod
    def _module(node, in_shapes):
        kind = node["type"]
        shape = in_shapes[0]
        if kind == "conv":
            conv = nn.Conv2d(shape[0], node["out"], tuple(node["kernel"]), stride=tuple(node["stride"]),
                             padding=_padding(node), bias=node["bias"])
            return _Node(node, conv, _activation(node))
        if kind == "dwconv":
            out = shape[0] * node["multiplier"]
            conv = nn.Conv2d(shape[0], out, tuple(node["kernel"]), stride=tuple(node["stride"]),
                             padding=_padding(node), groups=shape[0], bias=node["bias"])
            return _Node(node, conv, _activation(node))
        if kind == "bn":
            # DL4J keeps running = decay * running + (1 - decay) * batch; PyTorch's momentum is the batch's weight
            args = dict(eps=node["eps"], momentum=1 - node["decay"])
            bn = nn.BatchNorm2d(shape[0], **args) if len(shape) == 3 else nn.BatchNorm1d(shape[0], **args)
            return _Node(node, bn, _activation(node))
        if kind == "prelu":
            if len(shape) != 3:
                raise ValueError(f"node {node['name']}: per-channel PReLU on a {shape} input")
            return _Node(node, nn.PReLU(shape[0], init=node["init"]))
        if kind == "dense":
            flat = 1
            for s in shape:
                flat *= s
            return _Node(node, nn.Linear(flat, node["out"], bias=node["bias"]), _activation(node),
                         flatten=len(shape) > 1)
        if kind in ("add", "l2norm"):
            if kind == "add" and any(s != shape for s in in_shapes):
                raise ValueError(f"node {node['name']}: adds inputs of shapes {in_shapes}")
            return _Node(node, None)
        raise ValueError(f"node {node['name']}: no mirror for type {kind!r}")

    def forward(self, x, keep=False):
        values = {self.input_name: x}
        for name in self.order:
            values[name] = self.nodes[self._key(name)](*[values[i] for i in self.inputs[name]])
        return values if keep else values[self.output]


def node_params(module):
    """Parameters plus batch-norm running statistics (DL4J counts both as parameters)."""
    count = sum(p.numel() for p in module.parameters())
    for name, b in module.named_buffers():
        if name.endswith("running_mean") or name.endswith("running_var"):
            count += b.numel()
    return count


def build(spec):
    """The mirror of `spec`, checked against DL4J's shapes and parameter counts; raises ValueError on a mismatch."""
    model = Mirror(spec)
    check(model, spec)
    return model


def check(model, spec):
    problems = []
    for node in spec["nodes"]:
        got = node_params(model.nodes[model._key(node["name"])])
        if got != node["params"]:
            problems.append(f"{node['name']}: {got} parameters, DL4J has {node['params']}")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        values = model(torch.zeros(1, *spec["input"]), keep=True)
    model.train(was_training)
    for node in spec["nodes"]:
        got = list(values[node["name"]].shape[1:])
        if got != list(node["shape"]):
            problems.append(f"{node['name']}: output {got}, DL4J has {node['shape']}")
    total = node_params(model)
    if total != spec["dl4jParams"]:
        problems.append(f"{total} parameters in all, DL4J has {spec['dl4jParams']}")
    if problems:
        raise ValueError("the PyTorch mirror differs from the DL4J network: " + "; ".join(problems))
    return total


def fold_batch_norms(model):
    """Folds each batch norm into the conv, depthwise conv or linear layer before it (that layer without bias or
    activation, read by nothing else), as FaceStream's model service does to an export (BatchNormFolding): the
    batch norm's node becomes a pass-through and its activation moves to the folded layer. Eval mode only.
    Returns how many were folded."""
    consumers = {}
    for name in model.order:
        for i in model.inputs[name]:
            consumers[i] = consumers.get(i, 0) + 1
    folded = 0
    for name in model.order:
        bn_node = model.nodes[model._key(name)]
        ins = model.inputs[name]
        if bn_node.kind != "bn" or len(ins) != 1 or consumers.get(ins[0]) != 1 or ins[0] == model.input_name:
            continue
        layer_node = model.nodes[model._key(ins[0])]
        layer = layer_node.module
        if layer_node.kind in ("conv", "dwconv") and layer.bias is None and layer_node.activation is None:
            layer_node.module = fusion.fuse_conv_bn_eval(layer, bn_node.module)
        elif layer_node.kind == "dense" and layer.bias is None and layer_node.activation is None:
            layer_node.module = fusion.fuse_linear_bn_eval(layer, bn_node.module)
        else:
            continue
        layer_node.activation = bn_node.activation
        bn_node.module = nn.Identity()
        bn_node.activation = None
        folded += 1
    return folded


def median(values):
    """The median (the mean of the middle two for an even count), as the Java benches compute it."""
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
