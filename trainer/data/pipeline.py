"""prepare_data / prepare_cv_folds: read the source, split by unit, choose features, cut windows.

Order, and why:

1. read the source (synthetic, C-MAPSS or CSV); with ``age_feature``, append each row's age (``ages.py``);
2. apply ``short_units`` to the units before splitting, so that with ``"skip"`` every split gets usable
   units (skipping after the split could empty the validation set); the official test set's short units
   are padded or skipped the same way, and if skipping empties it there is no test set (with a warning);
3. split units into train/val(/held-out test) with ``seed`` (see ``split.py``);
4. choose features on the training units only (``drop_constant_std``);
5. cut windows: train, val and held-out test at ``stride``; the official test set one window per unit,
   ending at its last row (the C-MAPSS protocol, see ``cmapss.py``); with ``val_cuts``, the validation
   units' cut windows too (the same protocol on validation units, see ``cuts.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from trainer.data.ages import add_age
from trainer.data.arrays import PreparedData, UnitId, UnitSeries, WindowArrays
from trainer.data.config import DataConfig
from trainer.data.cuts import make_cut_windows
from trainer.data.features import select_features
from trainer.data.sources import load_source
from trainer.data.split import kfold_units, split_units
from trainer.data.windows import apply_short_policy, make_windows


@dataclass(frozen=True)
class _Usable:
    """The source after the short-unit policy: what the splits are drawn from."""

    feature_names: tuple[str, ...]
    units: dict[UnitId, UnitSeries]
    official_test: tuple[UnitSeries, ...] | None
    target_unit: str
    warnings: tuple[str, ...]


def _load_usable(cfg: DataConfig) -> _Usable:
    source = load_source(cfg)
    if cfg.age_feature:
        test = source.official_test
        source = replace(source, pool=add_age(source.pool), official_test=test and add_age(test))
    warnings = list(source.warnings)
    pool, note = apply_short_policy(
        source.pool.units,
        window=cfg.window,
        policy=cfg.short_units,
        where=source.name,
        required=True,
        min_history=cfg.min_history,
    )
    warnings += [note] if note else []
    official = None
    if source.official_test is not None:
        official, note = apply_short_policy(
            source.official_test.units,
            window=cfg.window,
            policy=cfg.short_units,
            where=f"{source.name} official test set",
            required=False,
            min_history=cfg.min_history,
        )
        warnings += [note] if note else []
        if not official:
            warnings.append(f"{source.name}: every official test unit was skipped, so there is no test set")
            official = None
    return _Usable(
        feature_names=source.pool.feature_names,
        units={u.unit_id: u for u in pool},
        official_test=official,
        target_unit=source.target_unit,
        warnings=tuple(warnings),
    )


def _assemble(
    cfg: DataConfig,
    usable: _Usable,
    train_ids: Sequence[UnitId],
    val_ids: Sequence[UnitId],
    test_ids: Sequence[UnitId],
) -> PreparedData:
    train_units = [usable.units[i] for i in train_ids]
    columns, note = select_features(train_units, usable.feature_names, cfg.drop_constant_std)

    def cut(units: Sequence[UnitSeries], *, last_only: bool = False) -> WindowArrays:
        return make_windows(
            units,
            columns,
            window=cfg.window,
            stride=cfg.stride,
            rul_cap=cfg.rul_cap,
            last_only=last_only,
            min_history=cfg.min_history,
        )

    train = cut(train_units)
    val_units = [usable.units[i] for i in val_ids]
    val = cut(val_units)
    val_cuts = None
    if cfg.val_cuts > 0:
        val_cuts = make_cut_windows(
            val_units,
            columns,
            window=cfg.window,
            cuts=cfg.val_cuts,
            rul_cap=cfg.rul_cap,
            seed=cfg.seed,
            min_history=cfg.min_history,
        )
    test: WindowArrays | None
    if usable.official_test is not None:
        test, test_source = cut(usable.official_test, last_only=True), "official"
    elif test_ids:
        test, test_source = cut([usable.units[i] for i in test_ids]), "held-out"
    else:
        test, test_source = None, "none"
    return PreparedData(
        feature_names=tuple(usable.feature_names[int(c)] for c in columns),
        train=train,
        val=val,
        test=test,
        test_source=test_source,
        target_unit=usable.target_unit,
        warnings=usable.warnings + ((note,) if note else ()),
        val_cuts=val_cuts,
    )


def _test_fraction(cfg: DataConfig, usable: _Usable) -> float:
    return 0.0 if usable.official_test is not None else cfg.test_fraction


def prepare_data(cfg: DataConfig) -> PreparedData:
    """Load ``cfg.source`` and return train/val/test windows (see the module docstring for the steps).

    Raises:
        DataError: one line naming the file/column/unit at fault: missing or empty file, missing columns,
            non-numeric or non-finite values, no unit long enough for the window (with ``skip``), or too
            few units for the split.
    """
    usable = _load_usable(cfg)
    split = split_units(
        list(usable.units),
        val_fraction=cfg.val_fraction,
        test_fraction=_test_fraction(cfg, usable),
        seed=cfg.seed,
    )
    return _assemble(cfg, usable, split.train, split.val, split.test)


def prepare_cv_folds(cfg: DataConfig, folds: int) -> list[PreparedData]:
    """K-fold cross-validation grouped by unit: one PreparedData per fold.

    The test set is the same in every fold and the same as :func:`prepare_data` gives for ``cfg``. The
    remaining units are dealt into ``folds`` groups; fold ``k`` validates on group ``k`` and trains on the
    rest (``val_fraction`` is ignored), so the folds' validation units partition the non-test units. Features
    are chosen per fold on that fold's training units, so ``feature_names`` may differ between folds when
    ``drop_constant_std > 0``. Each fold holds its own arrays: memory grows with ``folds``.

    Raises:
        ValueError: ``folds < 2``.
        DataError: as :func:`prepare_data`, or fewer non-test units than folds.
    """
    usable = _load_usable(cfg)
    pairs, test_ids = kfold_units(
        list(usable.units), folds=folds, test_fraction=_test_fraction(cfg, usable), seed=cfg.seed
    )
    return [_assemble(cfg, usable, train_ids, val_ids, test_ids) for train_ids, val_ids in pairs]
