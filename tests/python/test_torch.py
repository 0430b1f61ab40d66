"""rnnkernels.torch against torch.nn: the same outputs, states and every gradient for nn.RNN, nn.LSTM and nn.GRU on
stacked, bidirectional, batch_first, packed, unbatched and h0/c0 cases; a module used twice in one graph; training
inside an ordinary PyTorch loop; dropout only in training; nothing kept without gradients; clear errors."""
import copy

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnkernels.torch as rk

TOLERANCE = 1e-4
MODULES = {"rnn": (torch.nn.RNN, rk.RNN), "lstm": (torch.nn.LSTM, rk.LSTM), "gru": (torch.nn.GRU, rk.GRU)}


def relative(expected, actual):
    expected, actual = expected.detach().double(), actual.detach().double()
    return (torch.linalg.vector_norm(expected - actual) / max(torch.linalg.vector_norm(expected).item(), 1e-3)).item()


def twins(cell, **kwargs):
    torch.manual_seed(1)
    reference = MODULES[cell][0](**kwargs)
    ours = MODULES[cell][1](**kwargs)
    ours.load_state_dict(reference.state_dict())
    return reference, ours


def run(module, x, hx, lstm, packed_lengths=None):
    """Output and state of one forward, and a scalar mixing every output so each gradient is exercised."""
    source = pack_padded_sequence(x, packed_lengths, enforce_sorted=False) if packed_lengths is not None else x
    output, state = module(source, hx)
    if packed_lengths is not None:
        output, _ = pad_packed_sequence(output, total_length=x.shape[0])
    h_n, c_n = state if lstm else (state, None)
    weights = torch.linspace(-1, 1, output.numel()).view(output.shape)
    loss = (output * weights).sum() + (h_n * 0.7).sum() + (0 if c_n is None else (c_n * -0.3).sum())
    return output, h_n, c_n, loss


CASES = [
    ("rnn", dict(num_layers=2, bidirectional=True), False, True, True),
    ("rnn", dict(nonlinearity="relu"), True, False, False),
    ("lstm", dict(num_layers=2, bidirectional=True), False, True, True),
    ("lstm", dict(batch_first=True), True, False, True),
    ("lstm", dict(num_layers=3), False, False, False),
    ("gru", dict(num_layers=2, bidirectional=True, batch_first=True), False, True, True),
    ("gru", dict(), True, False, True),
]


@pytest.mark.parametrize("cell,options,packed,ragged,with_state", CASES)
def test_outputs_states_and_every_gradient_match_torch(cell, options, packed, ragged, with_state):
    T, B, I, H = 6, 4, 5, 7
    reference, ours = twins(cell, input_size=I, hidden_size=H, **options)
    lstm = cell == "lstm"
    D = 2 if options.get("bidirectional") else 1
    L = options.get("num_layers", 1)
    g = torch.Generator().manual_seed(2)
    shape = (B, T, I) if options.get("batch_first") and not packed else (T, B, I)
    x = torch.rand(shape, generator=g) * 2 - 1
    lengths = torch.tensor([6, 3, 6, 1] if ragged or packed else [T] * B)
    results = []
    for module in (reference, ours):
        xi = x.clone().requires_grad_()
        h0 = (torch.rand((L * D, B, H), generator=torch.Generator().manual_seed(3)) - 0.5).requires_grad_() if with_state else None
        c0 = (torch.rand((L * D, B, H), generator=torch.Generator().manual_seed(4)) - 0.5).requires_grad_() if with_state and lstm else None
        hx = None if not with_state else (h0, c0) if lstm else h0
        output, h_n, c_n, loss = run(module, xi, hx, lstm, lengths if packed else None)
        loss.backward()
        results.append((output, h_n, c_n, xi.grad, None if h0 is None else h0.grad, None if c0 is None else c0.grad,
                        {n: p.grad for n, p in module.named_parameters()}))
    (o1, h1, c1, dx1, dh1, dc1, g1), (o2, h2, c2, dx2, dh2, dc2, g2) = results
    assert relative(o1, o2) <= TOLERANCE
    assert relative(h1, h2) <= TOLERANCE
    assert relative(dx1, dx2) <= TOLERANCE
    if lstm:
        assert relative(c1, c2) <= TOLERANCE
    if with_state:
        assert relative(dh1, dh2) <= TOLERANCE
        if lstm:
            assert relative(dc1, dc2) <= TOLERANCE
    assert g1.keys() == g2.keys()
    for name in g1:
        assert relative(g1[name], g2[name]) <= TOLERANCE, name


def test_unbatched_input_and_state_dict_both_ways():
    reference, ours = twins("gru", input_size=3, hidden_size=4, num_layers=2)
    x = torch.rand(5, 3)
    expected, expected_h = reference(x)
    output, h_n = ours(x)
    assert output.shape == (5, 4) and h_n.shape == (2, 4)
    assert relative(expected, output) <= TOLERANCE and relative(expected_h, h_n) <= TOLERANCE
    back = torch.nn.GRU(3, 4, 2)
    back.load_state_dict(ours.state_dict())
    assert all(torch.equal(a, b) for a, b in zip(back.state_dict().values(), ours.state_dict().values()))


def test_a_module_used_twice_in_one_graph_gets_both_gradients():
    reference, ours = twins("lstm", input_size=4, hidden_size=6, num_layers=2)
    a, b = torch.rand(5, 3, 4), torch.rand(7, 3, 4)
    grads = []
    for module in (reference, ours):
        first, _ = module(a)
        second, (h_n, _) = module(b)  # A second forward before the first's backward.
        (first.sum() * 0.5 - second.pow(2).sum() + h_n.sum()).backward()
        grads.append({n: p.grad.clone() for n, p in module.named_parameters()})
    for name in grads[0]:
        assert relative(grads[0][name], grads[1][name]) <= TOLERANCE, name


def test_no_grad_keeps_nothing_and_dropout_applies_only_in_training():
    _, ours = twins("lstm", input_size=4, hidden_size=8, num_layers=3, dropout=0.5)
    x = torch.rand(6, 2, 4)
    with torch.no_grad():
        ours.eval()
        first, _ = ours(x)
        second, _ = ours(x)
        assert torch.equal(first, second)
        assert len(ours._runners) == 1  # One engine, returned after each forward: no activations kept.
        ours.train()
        dropped, _ = ours(x)
        assert not torch.equal(first, dropped)
    without = rk.LSTM(4, 8, num_layers=3)
    without.load_state_dict(ours.state_dict())
    without.eval()
    assert torch.equal(without(x)[0], first)


def test_results_are_bitwise_the_same_for_any_thread_count():
    _, ours = twins("gru", input_size=16, hidden_size=32, num_layers=2, bidirectional=True)
    x = torch.rand(20, 8, 16)
    results = []
    saved = torch.get_num_threads()
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            ours.zero_grad()
            output, h_n = ours(x)
            (output.sum() + h_n.sum()).backward()
            results.append([output.detach().clone()] + [p.grad.clone() for p in ours.parameters()])
    finally:
        torch.set_num_threads(saved)
    assert all(torch.equal(a, b) for a, b in zip(*results))


def test_an_embedding_lstm_linear_model_trains_as_torch_does():
    class Tagger(torch.nn.Module):
        def __init__(self, lstm):
            super().__init__()
            self.embedding = torch.nn.Embedding(20, 8)
            self.lstm = lstm
            self.out = torch.nn.Linear(2 * 16, 5)

        def forward(self, tokens):
            output, _ = self.lstm(self.embedding(tokens))
            return self.out(output)

    torch.manual_seed(5)
    reference = Tagger(torch.nn.LSTM(8, 16, batch_first=True, bidirectional=True))
    ours = copy.deepcopy(reference)
    ours.lstm = rk.LSTM(8, 16, batch_first=True, bidirectional=True)
    ours.lstm.load_state_dict(reference.lstm.state_dict())
    g = torch.Generator().manual_seed(6)
    tokens = torch.randint(0, 20, (4, 9), generator=g)
    tags = torch.randint(0, 5, (4, 9), generator=g)
    losses = []
    for model in (reference, ours):
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
        trace = []
        for _ in range(20):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(tokens).reshape(-1, 5), tags.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            trace.append(loss.item())
        losses.append(trace)
    assert losses[1][-1] < losses[1][0] * 0.9
    assert np.allclose(losses[0], losses[1], rtol=TOLERANCE, atol=0)


def test_what_is_not_supported_is_a_clear_error():
    with pytest.raises(ValueError, match="bias=False"):
        rk.LSTM(3, 4, bias=False)
    with pytest.raises(ValueError, match="proj_size"):
        rk.LSTM(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="float32"):
        rk.GRU(3, 4, dtype=torch.float64)
    module = rk.RNN(3, 4)
    with pytest.raises(ValueError, match=r"input is torch.float64; .* \.float\(\)"):
        module(torch.rand(2, 1, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"\.float\(\)\.cpu\(\)"):
        module.double()(torch.rand(2, 1, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="input.size"):
        rk.RNN(3, 4)(torch.rand(2, 1, 5))
