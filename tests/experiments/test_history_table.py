from crossl.experiments.history_table import history_table


def test_history_table_has_one_row_per_epoch_and_only_the_logged_columns():
    history = [
        {"epoch": 0, "train_loss": 2.0, "online_macro_f1": 0.5},
        {"epoch": 1, "train_loss": 1.25, "online_macro_f1": 0.625, "effective_rank": 3.0},
    ]
    lines = history_table(history).splitlines()
    assert lines[0] == ("| epoch | training loss | online probe macro-F1 | effective rank |")
    assert lines[2:] == ["| 1 | 2.000 | 0.500 | – |", "| 2 | 1.250 | 0.625 | 3.000 |"]
