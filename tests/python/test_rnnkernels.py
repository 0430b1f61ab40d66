"""The Python client against PyTorch (Debian's python3-torch): the same weights and data through nn.RNN, nn.LSTM and
nn.GRU + nn.Linear give the same outputs, loss, h_n, c_n and gradients; training learns; bad input is a clear error."""
import os

import numpy as np
import pytest
import torch

import rnnkernels

TOLERANCE = 1e-4


def relative(expected, actual):
    expected = np.asarray(expected, np.float64)
    return np.linalg.norm(expected - np.asarray(actual, np.float64)) / max(np.linalg.norm(expected), 1e-3)


def torch_twin(model):
    """nn.RNN/LSTM/GRU + nn.Linear holding the same weights as an rnnkernels.Model."""
    kinds = {"rnn": lambda: torch.nn.RNN(model.input_size, model.hidden_size, model.num_layers, nonlinearity=model.nonlinearity,
                                         bidirectional=model.bidirectional),
             "lstm": lambda: torch.nn.LSTM(model.input_size, model.hidden_size, model.num_layers, bidirectional=model.bidirectional),
             "gru": lambda: torch.nn.GRU(model.input_size, model.hidden_size, model.num_layers, bidirectional=model.bidirectional)}
    rnn, out = kinds[model.cell](), torch.nn.Linear(model.hidden_size * model.directions, model.output_size)
    state = model.state_dict()
    rnn.load_state_dict({k[4:]: torch.from_numpy(v) for k, v in state.items() if k.startswith("rnn.")})
    out.load_state_dict({k[4:]: torch.from_numpy(v) for k, v in state.items() if k.startswith("out.")})
    return rnn, out


CASES = [
    ("rnn", 2, True, "cross-entropy", True),
    ("rnn", 1, False, "mse", False),
    ("lstm", 2, True, "cross-entropy", True),
    ("lstm", 1, False, "mse", False),
    ("gru", 2, True, "mse", True),
    ("gru", 1, False, "cross-entropy", False),
]


@pytest.mark.parametrize("cell,layers,bidirectional,loss,ragged", CASES)
def test_matches_pytorch_autograd(cell, layers, bidirectional, loss, ragged):
    T, B, I, H, O = 7, 4, 5, 6, 4
    rng = np.random.default_rng(3)
    model = rnnkernels.Model(I, H, O, num_layers=layers, bidirectional=bidirectional, cell=cell, seed=11)
    engine = rnnkernels.Engine(model, T, B, input_grad=True)
    D = 2 if bidirectional else 1
    x = rng.uniform(-1, 1, (T, B, I)).astype(np.float32)
    h0 = rng.uniform(-0.5, 0.5, (layers * D, B, H)).astype(np.float32)
    c0 = rng.uniform(-0.5, 0.5, (layers * D, B, H)).astype(np.float32) if cell == "lstm" else None
    lengths = np.array([5, 7, 2, 7] if ragged else [T] * B, np.int64)
    mask = np.arange(T)[:, None] < lengths[None, :]

    outputs = engine.forward(x, lengths=lengths, h0=h0, c0=c0)
    if loss == "cross-entropy":
        targets = rng.integers(0, O, (T, B)).astype(np.int64)
        value = engine.backward_cross_entropy(targets)
    else:
        y = rng.uniform(-1, 1, (T, B, O)).astype(np.float32)
        value = engine.backward_mse(y)

    rnn, out = torch_twin(model)
    tx = torch.from_numpy(x).requires_grad_()
    th0 = torch.from_numpy(h0).requires_grad_()
    state = (th0, torch.from_numpy(c0).requires_grad_()) if cell == "lstm" else th0
    packed = torch.nn.utils.rnn.pack_padded_sequence(tx, torch.from_numpy(lengths), enforce_sorted=False)
    packed_out, final = rnn(packed, state)
    hidden, _ = torch.nn.utils.rnn.pad_packed_sequence(packed_out, total_length=T)
    o = out(hidden)
    m = torch.from_numpy(mask)
    if loss == "cross-entropy":
        expected = torch.nn.functional.cross_entropy(o[m], torch.from_numpy(targets)[m], reduction="sum")
    else:
        expected = ((o - torch.from_numpy(y)) ** 2)[m].sum()
    expected.backward()

    assert abs(value - expected.item()) <= TOLERANCE * abs(expected.item())
    assert relative(o.detach().numpy()[mask], outputs[mask]) <= TOLERANCE
    h_n = final[0] if cell == "lstm" else final
    assert relative(h_n.detach().numpy(), engine.h_n) <= TOLERANCE
    if cell == "lstm":
        assert relative(final[1].detach().numpy(), engine.c_n) <= TOLERANCE
        assert relative(state[1].grad.numpy(), engine.c0_grad) <= TOLERANCE
    assert relative(th0.grad.numpy(), engine.h0_grad) <= TOLERANCE
    assert relative(tx.grad.numpy(), engine.input_grad) <= TOLERANCE
    grads = engine.grads()
    for name, parameter in list(rnn.named_parameters(prefix="rnn")) + list(out.named_parameters(prefix="out")):
        assert relative(parameter.grad.numpy(), grads[name]) <= TOLERANCE, name


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_lowers_the_loss_and_streaming_equals_forward(cell):
    T, B, V = 16, 8, 6
    model = rnnkernels.Model(V, 24, V, cell=cell, seed=2)
    engine = rnnkernels.Engine(model, T, B, threads=2)
    optimizer = rnnkernels.Adam(model, lr=0.01, clip_norm=5.0)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(150):
        classes = rng.integers(0, V, (T, B))
        x = np.eye(V, dtype=np.float32)[classes]
        targets = np.roll(classes, 1, axis=0).astype(np.int64)  # predict the previous step's class
        targets[0] = 0
        engine.zero_grad()
        engine.forward(x)
        losses.append(engine.backward_cross_entropy(targets))
        optimizer.step(engine)
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])

    outputs = engine.forward(x)
    stream = rnnkernels.Stream(model, batch=B)
    for t in range(T):
        np.testing.assert_allclose(stream.step(np.ascontiguousarray(x[t])), outputs[t], rtol=1e-4, atol=1e-5)


def test_save_load_round_trip(tmp_path):
    model = rnnkernels.Model(3, 5, 2, num_layers=2, cell="gru", seed=4)
    path = tmp_path / "m.safetensors"
    model.save(path)
    loaded = rnnkernels.Model.load(path)
    assert loaded.cell == "gru" and loaded.num_layers == 2
    for name, values in model.state_dict().items():
        np.testing.assert_array_equal(values, loaded.state_dict()[name])
    changed = {k: v + 1 for k, v in model.state_dict().items()}
    loaded.load_state_dict(changed)
    np.testing.assert_array_equal(loaded.state_dict()["out.bias"], changed["out.bias"])


def test_bad_input_is_a_clear_error_never_a_crash(tmp_path):
    model = rnnkernels.Model(3, 4, 2, cell="lstm")
    engine = rnnkernels.Engine(model, 5, 2)
    good = np.zeros((5, 2, 3), np.float32)
    with pytest.raises(ValueError, match="must be float32, but it is float64"):
        engine.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match="C-contiguous"):
        engine.forward(np.zeros((3, 2, 5), np.float32).transpose(2, 1, 0))
    with pytest.raises(ValueError, match=r"x must have shape \(5, 2, 3\)"):
        engine.forward(np.zeros((5, 2, 4), np.float32))
    with pytest.raises(ValueError, match="steps"):
        engine.forward(np.zeros((6, 2, 3), np.float32))
    with pytest.raises(ValueError, match="must be int64"):
        engine.forward(good, lengths=np.array([1, 2], np.int32))
    with pytest.raises(ValueError, match="lengths"):
        engine.forward(good, lengths=np.array([0, 5], np.int64))
    with pytest.raises(RuntimeError, match="Forward"):
        engine.backward_cross_entropy(np.zeros((0, 0), np.int64))
    engine.forward(good)
    with pytest.raises(ValueError, match="class in 0..1"):
        engine.backward_cross_entropy(np.full((5, 2), 7, np.int64))
    with pytest.raises(RuntimeError, match="input_grad=True"):
        engine.input_grad
    with pytest.raises(ValueError, match="cell must be one of"):
        rnnkernels.Model(3, 4, 2, cell="transformer")
    with pytest.raises(ValueError, match="fixed activations"):
        rnnkernels.Model(3, 4, 2, cell="gru", nonlinearity="relu")
    with pytest.raises(OSError, match="missing.safetensors"):
        rnnkernels.Model.load(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="missing"):
        model.load_state_dict({})
    gru = rnnkernels.Engine(rnnkernels.Model(3, 4, 2, cell="gru"), 5, 2)
    gru.forward(good)
    with pytest.raises(RuntimeError, match="lstm only"):
        gru.c_n
    engine.close()
    with pytest.raises(RuntimeError, match="has been closed"):
        engine.forward(good)
    engine.close()  # closing twice is harmless
    model.close()
    with pytest.raises(RuntimeError, match="has been closed"):
        model.state_dict()


def test_reports_version_and_tier():
    assert rnnkernels.version() == "0.1.0"
    assert rnnkernels.kernel_tier() in ("Avx512", "Avx2Fma", "Neon", "Vector128", "Scalar")


def test_says_which_kernel_tier_it_runs():
    tier = rnnkernels.kernel_tier()
    assert tier in {"Avx512", "Avx2Fma", "Neon", "Vector128", "Scalar"}
    if os.environ.get("RNNK_EXPECT_TIER"):
        assert tier == os.environ["RNNK_EXPECT_TIER"]
    assert f"kernel tier {tier}, library " in rnnkernels.build_info()
    assert f"kernel_tier={tier!r}" in repr(rnnkernels.Model(3, 4, 2, cell="gru"))


def test_the_recurrent_layers_alone_take_the_callers_gradients_and_a_stream_runs_whole_sequences():
    T, B, I, H = 6, 3, 4, 5
    rng = np.random.default_rng(7)
    layers = rnnkernels.Model(I, H, 0, num_layers=2, bidirectional=True, cell="gru", seed=3)
    assert "weight_hh_l1_reverse" in layers.shapes and not any(n.startswith("rnn.") for n in layers.shapes)
    engine = rnnkernels.Engine(layers, T, B, input_grad=True)
    x = rng.uniform(-1, 1, (T, B, I)).astype(np.float32)
    h0 = rng.uniform(-0.5, 0.5, (4, B, H)).astype(np.float32)
    lengths = np.array([6, 2, 5], np.int64)
    out = engine.forward(x, lengths=lengths, h0=h0)
    d_out = rng.uniform(-1, 1, out.shape).astype(np.float32)
    dh_n = rng.uniform(-1, 1, h0.shape).astype(np.float32)
    engine.backward(d_out, dh_n=dh_n)

    gru = torch.nn.GRU(I, H, 2, bidirectional=True)
    gru.load_state_dict({k: torch.from_numpy(v) for k, v in layers.state_dict().items()})
    tx, th0 = torch.from_numpy(x).requires_grad_(), torch.from_numpy(h0).requires_grad_()
    packed, h_n = gru(torch.nn.utils.rnn.pack_padded_sequence(tx, torch.from_numpy(lengths), enforce_sorted=False), th0)
    padded, _ = torch.nn.utils.rnn.pad_packed_sequence(packed, total_length=T)
    ((padded * torch.from_numpy(d_out)).sum() + (h_n * torch.from_numpy(dh_n)).sum()).backward()
    assert relative(padded.detach().numpy(), out) <= TOLERANCE
    assert relative(tx.grad.numpy(), engine.input_grad) <= TOLERANCE
    assert relative(th0.grad.numpy(), engine.h0_grad) <= TOLERANCE
    grads = engine.grads()
    for name, parameter in gru.named_parameters():
        assert relative(parameter.grad.numpy(), grads[name]) <= TOLERANCE, name

    stream = rnnkernels.Stream(layers, batch=B)
    assert relative(out, stream.run(x, lengths=lengths, h0=h0)) <= 1e-6
    assert relative(h_n.detach().numpy(), stream.h_n) <= TOLERANCE
    with pytest.raises(RuntimeError, match="use Run"):
        stream.step(x[0])
