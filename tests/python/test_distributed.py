"""Data parallelism on torch.distributed: a model holding an rnnkernels.torch.LSTM trains under
DistributedDataParallel (gloo, two processes on 127.0.0.1) on two halves of a batch, and ends with the parameters
that one process training on the whole batch reaches."""
import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import rnnkernels.torch as rk

STEPS, BATCH, SEQ, VOCABULARY, CLASSES = 5, 8, 7, 12, 4


class Tagger(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.embedding = torch.nn.Embedding(VOCABULARY, 6)
        self.lstm = rk.LSTM(6, 10, num_layers=2, batch_first=True)
        self.out = torch.nn.Linear(10, CLASSES)

    def forward(self, tokens):
        output, _ = self.lstm(self.embedding(tokens))
        return self.out(output)


def data():
    g = torch.Generator().manual_seed(1)
    return torch.randint(0, VOCABULARY, (BATCH, SEQ), generator=g), torch.randint(0, CLASSES, (BATCH, SEQ), generator=g)


def train(model, tokens, tags):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(STEPS):
        optimizer.zero_grad()
        # The mean over this process's entries; DDP averages the gradients over the processes.
        loss = torch.nn.functional.cross_entropy(model(tokens).reshape(-1, CLASSES), tags.reshape(-1))
        loss.backward()
        optimizer.step()


def worker(rank, world, port, result):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        model = torch.nn.parallel.DistributedDataParallel(Tagger())
        tokens, tags = data()
        half = BATCH // world
        train(model, tokens[rank * half:(rank + 1) * half], tags[rank * half:(rank + 1) * half])
        if rank == 0:
            torch.save(model.module.state_dict(), result)
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_ddp_equals_one_process_on_the_whole_batch(tmp_path):
    result = str(tmp_path / "ddp.pt")
    mp.spawn(worker, args=(2, free_port(), result), nprocs=2, join=True)
    distributed = torch.load(result)

    single = Tagger()
    start = {k: v.clone() for k, v in single.state_dict().items()}
    train(single, *data())
    for name, value in single.state_dict().items():
        assert not torch.equal(value, start[name]), f"{name} did not train"
        error = torch.linalg.vector_norm(value - distributed[name]) / torch.linalg.vector_norm(value)
        assert error <= 1e-5, f"{name}: relative difference {error.item():.2e}"
