#!/usr/bin/env python3
"""make_card.py: write a model card (markdown) from what qdf itself reports.

usage: make_card.py NAME INFO.json VAL.json EXTRAP.json PREDICT_SUMMARY.txt COMMANDS.txt NOTES.txt > NAME.md
  INFO.json      `qdf info --model NAME.h5 --json`
  VAL.json       `qdf eval --model NAME.h5 VALIDATION... --json`
  EXTRAP.json    `qdf eval --model NAME.h5 LARGER... --json`
  PREDICT_SUMMARY.txt  the stderr summary line of `qdf predict` on the larger set, or - for none
  COMMANDS.txt   the exact commands that trained the model, one per line
  NOTES.txt      free text (schedule changes, wall time, caveats)
Only the standard library; every number comes from the files given."""
import json
import sys

KCAL = 23.0605


def main():
    name, info_p, val_p, ext_p, pred_p, cmd_p, notes_p = sys.argv[1:8]
    info = json.load(open(info_p))
    val = json.load(open(val_p))["models"][0]
    ext = json.load(open(ext_p))["models"][0]
    pred = open(pred_p).read().strip() if pred_p != "-" else None
    cmds = open(cmd_p).read().strip()
    notes = open(notes_p).read().strip()
    out = []
    w = out.append
    w(f"# Model card: `{name}.h5`\n")
    w(f"- **Target**: {info.get('target_name')} in {info.get('target_unit')}, {info.get('n_out')} output(s)")
    w(f"- **Training data**: `{' '.join(info.get('training_files', []))}` ({info.get('min_atoms')}-{info.get('max_atoms')} atoms, "
      f"elements {' '.join(info.get('elements', []))})")
    hp = info.get("hyperparameters", {})
    w("- **Architecture**: " + ", ".join(f"{k} {v}" for k, v in hp.items()))
    w(f"- **Parameters**: {info.get('parameters')}; file size {info.get('file_size_bytes')} bytes")
    w(f"- **Stored card**: {info.get('card')}\n")
    w("## Accuracy (held-out data; never used for training, only validation chose the epoch)\n")
    w("| set | molecules | MAE (eV) | MAE (kcal/mol) | RMSE (eV) |")
    w("|---|---|---|---|---|")
    w(f"| validation (interpolation) | {val['n']} | {val['mae_eV']:.4f} | {val['mae_kcal_mol']:.2f} | {val['rmse_eV']:.4f} |")
    w(f"| larger molecules (extrapolation) | {ext['n']} | {ext['mae_eV']:.4f} | {ext['mae_kcal_mol']:.2f} | {ext['rmse_eV']:.4f} |")
    w("")
    if pred:
        w(f"`qdf predict` on the larger molecules: {pred}\n")
    w("## Extrapolation curve (MAE by number of atoms)\n")
    w("| atoms | molecules | MAE (eV) | MAE (kcal/mol) | |")
    w("|---|---|---|---|---|")
    for row in val["curve"] + ext["curve"]:
        tag = "extrapolation" if row["extrapolation"] else "validation"
        w(f"| {row['n_atoms']} | {row['count']} | {row['mae_eV']:.4f} | {row['mae_kcal_mol']:.2f} | {tag} |")
    w("")
    w(f"Plot: `{name}_extrapolation.svg`.\n")
    w("## How it was trained\n")
    w("```")
    w(cmds)
    w("```\n")
    w(notes)
    print("\n".join(out))


if __name__ == "__main__":
    main()
