"""Read and write the safetensors format by hand (no `safetensors` package is needed).

Layout: 8-byte little-endian header length N, N bytes of JSON
`{name: {"dtype", "shape", "data_offsets": [start, end]}, "__metadata__": {...}}`, then the raw
little-endian tensor bytes; offsets are relative to the end of the header.
"""

import json
import os
import struct

import torch

_DTYPES = {
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
}

# A header larger than this is not a safetensors file we wrote or can trust.
_MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    """The file is not a valid safetensors file (or uses a dtype we cannot read)."""


def read_safetensors(path):
    """Return {name: float32 tensor} for every tensor in the file (F16/BF16 are widened to F32)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise SafetensorsError(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER or 8 + n > len(data):
        raise SafetensorsError(f"{path}: header length {n} does not fit the file ({len(data)} bytes)")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: header is not JSON ({e})") from e
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header is not a JSON object")
    base = 8 + n
    buf = bytearray(data)
    del data
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype_name = info["dtype"]
            shape = [int(d) for d in info["shape"]]
            start, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError) as e:
            raise SafetensorsError(f"{path}: tensor {name!r} has a malformed entry") from e
        if dtype_name not in _DTYPES:
            raise SafetensorsError(f"{path}: tensor {name!r} has dtype {dtype_name}; only F32, F16, BF16 are read")
        dtype, size = _DTYPES[dtype_name]
        count = 1
        for d in shape:
            count *= d
        if end - start != count * size or start < 0 or base + end > len(buf):
            raise SafetensorsError(f"{path}: tensor {name!r} offsets {start}..{end} do not match shape {shape}")
        if count == 0:
            t = torch.zeros(shape, dtype=dtype)
        elif (base + start) % size == 0:
            t = torch.frombuffer(buf, dtype=dtype, count=count, offset=base + start)
        else:
            t = torch.frombuffer(bytearray(buf[base + start : base + end]), dtype=dtype, count=count)
        out[name] = t.reshape(shape).to(torch.float32)
    return out


def write_safetensors(path, tensors, metadata=None):
    """Write {name: tensor} as F32 safetensors, atomically (temporary file, fsync, rename)."""
    header = {}
    offset = 0
    names = sorted(tensors)
    for name in names:
        t = tensors[name]
        nbytes = t.numel() * 4
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name in names:
            t = tensors[name].detach().to(torch.float32).contiguous().cpu()
            f.write(t.numpy().tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
