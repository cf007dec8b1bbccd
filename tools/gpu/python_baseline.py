"""The Python stack's numbers on this machine, for comparison with DeviceProfile in the same session.

Hugging Face transformers' GroundingDINO Swin-T (GroundingDinoConfig() defaults are the tiny release's settings) and
SAM ViT-B (SamConfig() defaults), random weights (latency does not depend on the values), on the GPU:

  * forward only: the model on an already preprocessed batch on the GPU (800x1067 for cat_dog.jpeg), batch 1 and N;
  * end to end: image processor (PIL decode, resize, normalise) + tokenizer + upload + forward +
    post_process_grounded_object_detection, batch 1: what DeviceProfile's "detect, batch 1" measures.

Writes a TSV with the columns of DeviceProfile. Each part reports its own error instead of stopping the rest.

  python3 python_baseline.py --image cat_dog.jpeg --out python.tsv [--runs 20] [--batch 10]
"""
import argparse
import os
import statistics
import sys
import time
import traceback


def timed(fn, runs, warmup, sync):
    for _ in range(warmup):
        fn()
    sync()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        sync()
        out.append((time.perf_counter() - t) * 1000)
    return out


def row(model, precision, measure, ms, per=1):
    ms = sorted(x / per for x in ms)
    p90 = ms[min(len(ms) - 1, max(0, int(len(ms) * 0.9 + 0.999) - 1))]
    return "%s\tCUDA\t%s\t%s\t%.1f\t%.1f\t%d" % (model, precision, measure, statistics.median(ms), p90, len(ms))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=10)
    args = ap.parse_args()
    rows = ["model\tdevice\tprecision\tmeasure\tmedian_ms\tp90_ms\truns"]
    try:
        import torch
        import transformers
        from PIL import Image
    except Exception as e:  # noqa: BLE001 - report and stop: nothing to compare with
        print("no Python baseline: %r" % (e,))
        return 1
    print("torch", torch.__version__, "transformers", transformers.__version__, "cuda", torch.cuda.is_available())
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False  # as the Java FP32 path
    torch.backends.cudnn.allow_tf32 = False
    sync = torch.cuda.synchronize
    image = Image.open(args.image).convert("RGB")
    vocab = os.path.join(os.path.dirname(os.path.abspath(args.image)), "..", "bert-base-uncased-vocab.txt")

    try:
        from transformers import (BertTokenizer, GroundingDinoConfig, GroundingDinoForObjectDetection,
                                  GroundingDinoImageProcessor)
        torch.manual_seed(0)
        model = GroundingDinoForObjectDetection(GroundingDinoConfig()).to(dev).eval()
        processor = GroundingDinoImageProcessor()
        tokenizer = BertTokenizer(vocab_file=vocab)
        caption = "cat . dog ."
        for precision, dtype in (("FP32", torch.float32), ("FP16", torch.float16)):
            m = model.to(dtype)
            enc = processor(images=image, return_tensors="pt")
            text = tokenizer([caption], return_tensors="pt")
            inputs = {"pixel_values": enc["pixel_values"].to(dev, dtype), "pixel_mask": enc["pixel_mask"].to(dev),
                      "input_ids": text["input_ids"].to(dev), "attention_mask": text["attention_mask"].to(dev),
                      "token_type_ids": text["token_type_ids"].to(dev)}
            with torch.inference_mode():
                rows.append(row("GroundingDINO Swin-T", precision, "forward only, batch 1 (per image)",
                                timed(lambda: m(**inputs), args.runs, 3, sync)))
                batched = {k: torch.cat([v] * args.batch) for k, v in inputs.items()}
                rows.append(row("GroundingDINO Swin-T", precision,
                                "forward only, batch %d (per image)" % args.batch,
                                timed(lambda: m(**batched), max(3, args.runs // 4), 1, sync), args.batch))

                def end_to_end():
                    e = processor(images=image, return_tensors="pt")
                    t = tokenizer([caption], return_tensors="pt")
                    o = m(pixel_values=e["pixel_values"].to(dev, dtype), pixel_mask=e["pixel_mask"].to(dev),
                          input_ids=t["input_ids"].to(dev), attention_mask=t["attention_mask"].to(dev),
                          token_type_ids=t["token_type_ids"].to(dev))
                    logits = o.logits.sigmoid().max(-1).values[0]
                    keep = logits > 0.35
                    return o.pred_boxes[0][keep].float().cpu()

                rows.append(row("GroundingDINO Swin-T", precision, "end to end, batch 1 (per image)",
                                timed(end_to_end, args.runs, 3, sync)))
            print("\n".join(rows[-3:]), flush=True)
        del model
        torch.cuda.empty_cache()
    except Exception:  # noqa: BLE001
        traceback.print_exc()

    try:
        from transformers import SamConfig, SamModel, SamProcessor, SamImageProcessor
        torch.manual_seed(0)
        sam = SamModel(SamConfig()).to(dev).eval()
        processor = SamImageProcessor()
        pixels = processor(images=image, return_tensors="pt")["pixel_values"].to(dev)
        for precision, dtype in (("FP32", torch.float32), ("FP16", torch.float16)):
            s = sam.to(dtype)
            px = pixels.to(dtype)
            with torch.inference_mode():
                rows.append(row("SAM ViT-B", precision, "image encoder only (per image)",
                                timed(lambda: s.get_image_embeddings(px), args.runs, 2, sync)))

                def embed_end_to_end():
                    p = processor(images=image, return_tensors="pt")["pixel_values"].to(dev, dtype)
                    return s.get_image_embeddings(p)

                rows.append(row("SAM ViT-B", precision, "embed end to end (per image)",
                                timed(embed_end_to_end, args.runs, 2, sync)))
            print("\n".join(rows[-2:]), flush=True)
    except Exception:  # noqa: BLE001
        traceback.print_exc()

    with open(args.out, "w") as f:
        f.write("\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
