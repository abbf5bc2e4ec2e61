"""Tests of SCL / SCL-MI (skadapt.subspace.SCL)."""

import gzip
import json

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import mutual_info_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import skadapt
from skadapt import SCL
from skadapt.exceptions import NoTargetWarning
from skadapt.metrics import ReverseValidationScorer
from skadapt.model_selection import SourceTargetShuffleSplit
from skadapt.subspace import _scl
from skadapt.utils import source_target_merge
from tests.conftest import missing_data_outcome


def _text_problem(n_source=150, n_target=120, n_features=300, seed=0):
    """Binary bag-of-words rows with planted pivots.

    Columns 0-3 are sentiment words shared by both domains (the planted
    pivots: they follow the label in both), 4-13 source-only sentiment
    words, 14-23 target-only sentiment words, the rest noise.  The
    domain-specific words co-occur with the planted pivots, which is what
    SCL learns to exploit.
    """
    rng = np.random.default_rng(seed)

    def domain(n, specific):
        y = rng.integers(0, 2, n)
        X = (rng.random((n, n_features)) < 0.05).astype(float)
        X[:, 4:24] = 0.0
        for i in range(n):
            sign = y[i]
            # shared pivots: 0, 1 positive; 2, 3 negative
            pivots = [0, 1] if sign else [2, 3]
            X[i, pivots] = rng.random(2) < 0.3
            words = specific[:5] if sign else specific[5:]
            X[i, words] = rng.random(5) < 0.5
        return X, y

    Xs, ys = domain(n_source, np.arange(4, 14))
    Xt, yt = domain(n_target, np.arange(14, 24))
    X, y, sd = source_target_merge(Xs, ys, Xt)
    return X, y, sd, yt


def test_planted_pivots_are_found():
    X, y, sd, _ = _text_problem()
    scl = SCL(n_pivots=4, n_components=2, min_df=5, random_state=0).fit(X, y, sample_domain=sd)
    assert set(scl.pivots_) == {0, 1, 2, 3}
    freq = SCL(n_pivots=4, n_components=2, pivot_selection="frequency", random_state=0)
    freq.fit(X, y, sample_domain=sd)
    # the shared sentiment words are the most frequent features of both domains
    assert set(freq.pivots_) == {0, 1, 2, 3}


def test_mi_ranking_equals_sklearn_mutual_info_score():
    X, y, sd, _ = _text_problem(seed=3)
    scl = SCL(n_pivots=10, n_components=2, min_df=5, random_state=0).fit(X, y, sample_domain=sd)
    labeled = y >= 0
    B = (X != 0).astype(int)
    df_s, df_t = B[sd > 0].sum(axis=0), B[sd < 0].sum(axis=0)
    candidates = np.flatnonzero((df_s > 5) & (df_t > 5))
    mi = np.array([mutual_info_score(B[labeled, f], y[labeled]) for f in candidates])
    np.testing.assert_allclose(
        scl.pivot_scores_, mi[np.searchsorted(candidates, scl.pivots_)], rtol=1e-10, atol=1e-14
    )
    expected = candidates[np.lexsort((candidates, -np.round(mi, 12)))][:10]
    np.testing.assert_array_equal(scl.pivots_, expected)


def test_components_are_orthonormal_and_zero_on_masked_pivots():
    X, y, sd, _ = _text_problem()
    scl = SCL(n_pivots=6, n_components=4, random_state=0).fit(X, y, sample_domain=sd)
    C = scl.components_
    assert C.shape == (4, X.shape[1])
    np.testing.assert_allclose(C @ C.T, np.eye(4), atol=1e-10)
    np.testing.assert_array_equal(C[:, scl.pivots_], 0.0)
    assert np.all(np.diff(scl.singular_values_) <= 0) and scl.singular_values_[0] > 0


def test_sparse_and_dense_input_give_the_same_result():
    X, y, sd, _ = _text_problem()
    dense = SCL(LogisticRegression(), n_pivots=6, n_components=3, random_state=0)
    sparse = SCL(LogisticRegression(), n_pivots=6, n_components=3, random_state=0)
    dense.fit(X, y, sample_domain=sd)
    sparse.fit(sp.csr_matrix(X), y, sample_domain=sd)
    np.testing.assert_array_equal(dense.pivots_, sparse.pivots_)
    np.testing.assert_array_equal(dense.components_, sparse.components_)
    Zs = sparse.transform(sp.csr_matrix(X))
    assert sp.issparse(Zs) and Zs.shape == (X.shape[0], X.shape[1] + 3)
    np.testing.assert_allclose(Zs.toarray(), dense.transform(X), atol=1e-12)
    np.testing.assert_array_equal(dense.predict(X), sparse.predict(sp.csc_matrix(X)))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_pivots_or_components(seed):
    X, y, sd, _ = _text_problem(n_source=60, n_target=50, n_features=100)
    perm = np.random.default_rng(seed).permutation(X.shape[0])
    a = SCL(n_pivots=5, n_components=3, min_df=1, random_state=7).fit(X, y, sample_domain=sd)
    b = SCL(n_pivots=5, n_components=3, min_df=1, random_state=7)
    b.fit(sp.csr_matrix(X[perm]), y[perm], sample_domain=sd[perm])
    np.testing.assert_array_equal(a.pivots_, b.pivots_)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.singular_values_, b.singular_values_)


def test_same_seed_same_result_other_seed_close():
    X, y, sd, _ = _text_problem()
    a = SCL(n_pivots=6, n_components=3, random_state=0).fit(X, y, sample_domain=sd)
    b = SCL(n_pivots=6, n_components=3, random_state=0).fit(X, y, sample_domain=sd)
    np.testing.assert_array_equal(a.components_, b.components_)


def test_too_few_qualifying_features_is_a_clear_error():
    X, y, sd, _ = _text_problem()
    with pytest.raises(ValueError, match=r"SCL: only \d+ features occur in more than min_df=40"):
        SCL(n_pivots=30, n_components=2, min_df=40).fit(X, y, sample_domain=sd)


def test_bad_parameters_are_clear_errors():
    X, y, sd, _ = _text_problem()
    with pytest.raises(ValueError, match="n_components.*exceeds `n_pivots`"):
        SCL(n_pivots=3, n_components=5).fit(X, y, sample_domain=sd)
    with pytest.raises(ValueError, match="all of them are pivots"):
        SCL(n_pivots=4, n_components=1, min_df=0).fit(X[:, :4], y, sample_domain=sd)
    unlabeled = np.full_like(y, -1)
    with pytest.raises(ValueError, match="no source row is labeled"):
        SCL(n_pivots=3, n_components=1).fit(X, unlabeled, sample_domain=sd)
    # frequency pivots need no label at all
    SCL(n_pivots=3, n_components=1, pivot_selection="frequency").fit(X, unlabeled, sample_domain=sd)


def test_no_target_rows_warns_and_uses_the_training_rows():
    X, y, sd, yt = _text_problem()
    y_all = np.r_[y[sd > 0], yt]
    with pytest.warns(NoTargetWarning, match="SCL"):
        scl = SCL(LogisticRegression(), n_pivots=4, n_components=2).fit(X, y_all)
    assert scl.predict(X).shape == (X.shape[0],)


def test_adaptation_helps_on_the_planted_problem():
    X, y, sd, yt = _text_problem(n_source=300, n_target=300, seed=1)
    Xt = X[sd < 0]
    base = skadapt.LabeledOnly(LogisticRegression(C=0.1)).fit(X, y).score(Xt, yt)
    scl = SCL(LogisticRegression(C=0.1), n_pivots=4, n_components=2, random_state=0)
    acc = scl.fit(X, y, sample_domain=sd).score(Xt, yt)
    assert acc > base + 0.1, (base, acc)  # 0.70 -> 0.85 here


def test_joint_solver_beats_a_loop_of_sgdclassifier_objective():
    X, y, sd, _ = _text_problem(n_source=200, n_target=200, n_features=400, seed=2)
    B = sp.csr_matrix((X != 0).astype(float))
    pivots = np.array([0, 1, 2, 3])
    inputs = np.setdiff1d(np.arange(X.shape[1]), pivots)
    X_in, P = B[:, inputs].tocsr(), B[:, pivots].tocsr()
    own = np.full(4, -1, dtype=np.int64)
    W, b, _ = _scl._fit_pivot_predictors(X_in, P, own, 1e-4, np.random.RandomState(0), 1)
    ours = _scl._pivot_objective(X_in, P, W, b, 1e-4)
    loop_W, loop_b = [], []
    for k in range(4):
        target = np.where(P[:, k].toarray().ravel() > 0, 1, -1)
        clf = SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=0).fit(X_in, target)
        loop_W.append(clf.coef_.ravel())
        loop_b.append(clf.intercept_[0])
    theirs = _scl._pivot_objective(X_in, P, np.array(loop_W).T, np.array(loop_b), 1e-4)
    assert ours.mean() <= theirs.mean(), (ours, theirs)


def test_unmasked_pivot_predictor_does_not_read_its_own_column():
    X, y, sd, _ = _text_problem()
    B = sp.csr_matrix((X != 0).astype(float))
    pivots = np.array([0, 1, 2, 3])
    P = B[:, pivots].tocsr()
    W, _, _ = _scl._fit_pivot_predictors(
        B, P, pivots.astype(np.int64), 1e-4, np.random.RandomState(0), 2
    )
    np.testing.assert_array_equal(W[pivots, np.arange(4)], 0.0)
    assert np.any(W[pivots[1], 0] != 0.0)  # other pivots are inputs
    scl = SCL(n_pivots=4, n_components=2, mask_pivots=False, random_state=0)
    scl.fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(scl.components_ @ scl.components_.T, np.eye(2), atol=1e-10)


def test_positive_weights_only_changes_the_projection():
    X, y, sd, _ = _text_problem()
    plain = SCL(n_pivots=4, n_components=2, random_state=0).fit(X, y, sample_domain=sd)
    pos = SCL(n_pivots=4, n_components=2, positive_weights_only=True, random_state=0)
    pos.fit(X, y, sample_domain=sd)
    np.testing.assert_allclose(pos.components_ @ pos.components_.T, np.eye(2), atol=1e-10)
    assert not np.allclose(pos.components_, plain.components_)
    # the top singular vector of a non-negative matrix is non-negative (Perron)
    assert np.all(pos.components_[0] >= -1e-12)


def test_transform_layout_and_feature_names():
    X, y, sd, _ = _text_problem()
    scl = SCL(n_pivots=4, n_components=2, projection_scale=2.0, random_state=0)
    Z = scl.fit(X, y, sample_domain=sd).transform(X)
    np.testing.assert_array_equal(Z[:, : X.shape[1]], X)
    np.testing.assert_allclose(Z[:, X.shape[1] :], 2.0 * (X != 0) @ scl.components_.T)
    names = scl.get_feature_names_out()
    assert list(names[-2:]) == ["scl0", "scl1"] and names[0] == "x0"
    alone = SCL(n_pivots=4, n_components=2, augment=False, random_state=0)
    Z2 = alone.fit(X, y, sample_domain=sd).transform(sp.csr_matrix(X))
    np.testing.assert_allclose(Z2, (X != 0) @ alone.components_.T)
    assert list(alone.get_feature_names_out()) == ["scl0", "scl1"]
    l1 = SCL(n_pivots=4, n_components=2, projection_scale="l1_match", random_state=0)
    Z3 = l1.fit(X, y, sample_domain=sd).transform(X)
    np.testing.assert_allclose(
        np.abs(Z3[:, X.shape[1] :]).sum(axis=1).mean(), np.abs(X).sum(axis=1).mean()
    )


def test_verbose_prints_one_line_per_stage(capsys):
    X, y, sd, _ = _text_problem()
    SCL(n_pivots=4, n_components=2, verbose=1).fit(X, y, sample_domain=sd)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert "pivots by mutual information" in lines[0]
    assert "pivot predictors: 3 epochs, mean objective" in lines[1]
    assert "SVD" in lines[2] and all(line.endswith(" s)") for line in lines)
    SCL(n_pivots=4, n_components=2, verbose=2).fit(X, y, sample_domain=sd)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6 and "epoch 3: mean objective" in lines[3]


def test_target_correction_uses_the_labeled_target_rows():
    X, y, sd, yt = _text_problem(n_source=300, n_target=300, seed=4)
    y_few = y.copy()
    target = np.flatnonzero(sd < 0)
    y_few[target[:40]] = yt[:40]
    plain = SCL(LogisticRegression(C=0.1), n_pivots=4, n_components=2, random_state=0)
    plain.fit(X, np.where(sd < 0, -1, y), sample_domain=sd)
    corr = SCL(
        LogisticRegression(C=0.1), n_pivots=4, n_components=2, random_state=0,
        target_correction=100.0,
    ).fit(X, y_few, sample_domain=sd)
    d = X.shape[1]
    # only the weights of the projected features moved
    np.testing.assert_array_equal(corr.estimator_.coef_[0, :d], plain.estimator_.coef_[0, :d])
    np.testing.assert_array_equal(corr.estimator_.intercept_, plain.estimator_.intercept_)
    assert np.any(corr.estimator_.coef_[0, d:] != plain.estimator_.coef_[0, d:])
    Xt = X[target[40:]]
    assert corr.score(Xt, yt[40:]) >= plain.score(Xt, yt[40:]) - 0.02
    with pytest.raises(ValueError, match="needs labeled target rows"):
        SCL(LogisticRegression(), n_pivots=4, n_components=2, target_correction=1.0).fit(
            X, np.where(sd < 0, -1, y), sample_domain=sd
        )
    with pytest.raises(ValueError, match="augment=True"):
        SCL(LogisticRegression(), n_pivots=4, n_components=2, augment=False,
            target_correction=1.0).fit(X, y_few, sample_domain=sd)


# ------------------------------------------------------------ raw text


def _newsgroups_texts(folder, per_class=120):
    path = folder / "20news_bydate.jsonl.gz"
    if not path.is_file():
        missing_data_outcome(f"the shared data file {path} is missing (set SKADAPT_DATA)")
    wanted = {
        "rec.autos": (1, 0), "talk.politics.guns": (1, 1),
        "rec.sport.hockey": (-1, 0), "talk.politics.mideast": (-1, 1),
    }
    texts, labels, domains, seen = [], [], [], dict.fromkeys(wanted, 0)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            cat = doc["category"]
            if doc["split"] == "train" and cat in wanted and seen[cat] < per_class:
                seen[cat] += 1
                domain, label = wanted[cat]
                texts.append(doc["text"])
                labels.append(label)
                domains.append(domain)
    return texts, np.array(labels), np.array(domains)


def test_raw_text_pipeline_and_grid_search(shared_data):
    texts, labels, domains = _newsgroups_texts(shared_data)
    y = np.where(domains > 0, labels, -1)
    pipe = make_pipeline(
        CountVectorizer(binary=True, min_df=3, stop_words="english"),
        SCL(LogisticRegression(C=0.1, max_iter=1000), n_pivots=50, n_components=10,
            random_state=0),
    )
    pipe.fit(texts, y)
    target_texts = [t for t, d in zip(texts, domains) if d < 0]
    accuracy = pipe.score(target_texts, labels[domains < 0])
    baseline = make_pipeline(
        CountVectorizer(binary=True, min_df=3, stop_words="english"),
        skadapt.LabeledOnly(LogisticRegression(C=0.1, max_iter=1000)),
    ).fit(texts, y).score(target_texts, labels[domains < 0])
    assert accuracy > baseline + 0.02, (baseline, accuracy)  # 0.754 -> 0.800 here
    search = GridSearchCV(
        pipe,
        {"scl__n_pivots": [30, 50], "scl__n_components": [5, 10]},
        cv=SourceTargetShuffleSplit(n_splits=2, random_state=0),
        scoring=ReverseValidationScorer(),
    )
    search.fit(texts, y, groups=domains)
    assert set(search.best_params_) == {"scl__n_pivots", "scl__n_components"}
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
