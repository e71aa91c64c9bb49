"""The per-epoch diagnostics of a pretraining as a Markdown table (``crossl pretrain`` prints it)."""

from __future__ import annotations

HISTORY_COLUMNS = {
    "train_loss": "training loss",
    "online_accuracy": "online probe accuracy",
    "online_macro_f1": "online probe macro-F1",
    "embedding_std": "embedding std (normalised)",
    "effective_rank": "effective rank",
}


def history_table(history: list[dict[str, float]]) -> str:
    """Markdown table of the per-epoch online probe and collapse diagnostics."""
    columns = [c for c in HISTORY_COLUMNS if any(c in h for h in history)]
    lines = [
        "| epoch | " + " | ".join(HISTORY_COLUMNS[c] for c in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for h in history:
        cells = [f"{h[c]:.3f}" if c in h else "–" for c in columns]
        lines.append(f"| {int(h['epoch']) + 1} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
