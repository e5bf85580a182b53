"""Benchmark: what one uploaded photo costs the web worker in meetings.photos.clean_photo.

    .venv/bin/python scripts/bench_photos.py

Makes the samples (a 6300 x 6300 one-bit PNG of a few kilobytes, the near-limit
decompression bomb of issue 8; a 12-megapixel camera-like JPEG; a phone screenshot; a 4K
screenshot; a 50-megapixel JPEG) and runs clean_photo on each in a fresh process, printing
the median wall-clock and CPU time of 3 runs (on a busy machine the CPU time is the steadier
figure), the peak memory of the process (RSS) above its memory before the first run, and
what was kept or why it was refused. Figures, not a test: run it on the machine you deploy
to."""

import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")


def camera_like(size, quality=90):
    """Noise over gradients: compresses like a photo of a real scene, not like a flat image."""
    from PIL import Image, ImageFilter

    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 60).convert("RGB")
    detail = Image.effect_noise((width // 4, height // 4), 90).resize(size).convert("RGB")
    image = Image.blend(Image.blend(base, detail, 0.5), noise, 0.25)
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def samples() -> dict[str, bytes]:
    from PIL import Image, ImageDraw

    bomb = io.BytesIO()
    Image.new("1", (6300, 6300), 1).save(bomb, format="PNG", optimize=True)
    screenshot = Image.new("RGB", (1170, 2532), (246, 246, 246))
    draw = ImageDraw.Draw(screenshot)
    for y in range(120, 2400, 90):
        draw.rectangle([40, y, 1130, y + 60], fill=(255, 255, 255), outline=(220, 220, 220))
        draw.text((60, y + 20), "楼道灯坏了 the stairway light is out" * 2, fill=(30, 30, 30))
    shot = io.BytesIO()
    screenshot.save(shot, format="PNG", optimize=True)
    wide = io.BytesIO()
    Image.linear_gradient("L").resize((3840, 2160)).convert("RGB").save(wide, format="PNG")
    return {
        "bomb-6300x6300.png": bomb.getvalue(),
        "camera-4032x3024.jpg": camera_like((4032, 3024)),
        "screenshot-1170x2532.png": shot.getvalue(),
        "screenshot-3840x2160.png": wide.getvalue(),
        "camera-8160x6120.jpg": camera_like((8160, 6120), quality=30),
    }


def _peak_rss_kb() -> int:
    """The process's peak resident memory (VmHWM: unlike ru_maxrss, not carried over from
    the parent that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the same, roughly


def run_one(path: str) -> None:
    """In a fresh process: clean the photo 3 times; print time, peak RSS above baseline."""
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from meetings.photos import clean_photo

    translation.activate("en")  # the refusals, as the English page says them
    data = Path(path).read_bytes()
    baseline = _peak_rss_kb()
    times, cpu, outcome = [], [], ""
    for _ in range(3):
        upload = SimpleUploadedFile(Path(path).name, data)
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            photo = clean_photo(upload)
            outcome = f"kept {photo.width}x{photo.height}, {len(photo.data) // 1024} KB"
        except ValidationError as error:
            outcome = f"refused: {error.messages[0]}"
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    peak = _peak_rss_kb()
    print(
        f"{Path(path).name:26} {len(data) / 1024:9.1f} KB"
        f" {statistics.median(times) * 1000:8.0f} ms {statistics.median(cpu) * 1000:8.0f} ms"
        f" {(peak - baseline) / 1024:8.0f} MB   {outcome}"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        run_one(sys.argv[2])
        return
    print(f"{'sample':26} {'file':>12} {'wall':>11} {'CPU':>11} {'peak RSS+':>11}   outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, data in samples().items():
            path = Path(folder) / name
            path.write_bytes(data)
            subprocess.run([sys.executable, __file__, "--one", str(path)], check=True)


if __name__ == "__main__":
    main()
