"""A tiny RGB raster with circles and lines, encoded as PNG with zlib + struct only."""

from __future__ import annotations

import struct
import zlib

Colour = tuple[int, int, int]


class Canvas:
    """``width`` × ``height`` RGB pixels filled with ``background``."""

    def __init__(self, width: int, height: int, background: Colour = (255, 255, 255)):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def set(self, x: int, y: int, colour: Colour) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            offset = 3 * (y * self.width + x)
            self.pixels[offset:offset + 3] = bytes(colour)

    def disc(self, cx: float, cy: float, radius: float, colour: Colour) -> None:
        """A filled circle."""
        r2 = radius * radius
        for y in range(int(cy - radius), int(cy + radius) + 1):
            for x in range(int(cx - radius), int(cx + radius) + 1):
                if (x - cx) ** 2 + (y - cy) ** 2 <= r2:
                    self.set(x, y, colour)

    def ring(self, cx: float, cy: float, radius: float, colour: Colour, width: float = 2) -> None:
        """A circle outline ``width`` pixels thick."""
        outer, inner = radius * radius, max(0.0, radius - width) ** 2
        for y in range(int(cy - radius), int(cy + radius) + 1):
            for x in range(int(cx - radius), int(cx + radius) + 1):
                if inner <= (x - cx) ** 2 + (y - cy) ** 2 <= outer:
                    self.set(x, y, colour)

    def line(self, x0: float, y0: float, x1: float, y1: float, colour: Colour) -> None:
        """A one-pixel straight line (sampled at every pixel step along its longer axis)."""
        steps = int(max(abs(x1 - x0), abs(y1 - y0))) or 1
        for i in range(steps + 1):
            t = i / steps
            self.set(round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t), colour)

    def png(self) -> bytes:
        """The image as PNG bytes (8-bit truecolour, no interlace)."""
        stride = 3 * self.width
        # Each scanline starts with filter type 0 (none).
        raw = b"".join(b"\x00" + bytes(self.pixels[y * stride:(y + 1) * stride]) for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6))
                + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
