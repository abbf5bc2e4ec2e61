"""Tests of CoCC (skadapt.coclustering)."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.metrics import adjusted_rand_score
from sklearn.naive_bayes import MultinomialNB

import skadapt
from skadapt.coclustering import CoCC
from skadapt.exceptions import NoTargetWarning
from skadapt.utils import source_target_merge

# ------------------------------------------------------------------ helpers


def _planted(n_per_class=40, seed=0, length=60):
    """Two classes, five planted word blocks of 6 words each.

    Source documents of class c use block c (shared words) and, a little,
    block c + 2; target documents of class c use block c + 2 mostly and
    block c a little.  Block 4 is a shift: in the source it goes with class
    0, in the target with class 1, so the source-only classifier errs on the
    target, while the target's co-occurrences tell the truth.
    """
    rng = np.random.default_rng(seed)
    n_words = 30
    blocks = np.repeat(np.arange(5), 6)

    def docs(weights, n):
        p = np.full(n_words, 0.02)
        for block, weight in weights.items():
            p[blocks == block] += weight
        return rng.multinomial(length, p / p.sum(), size=n)

    Xs = np.vstack(
        [docs({0: 1.0, 2: 0.1, 4: 0.6}, n_per_class), docs({1: 1.0, 3: 0.1}, n_per_class)]
    )
    Xt = np.vstack(
        [docs({0: 0.15, 2: 1.0}, n_per_class), docs({1: 0.1, 3: 1.0, 4: 0.7}, n_per_class)]
    )
    ys = np.repeat([0, 1], n_per_class)
    yt = np.repeat([0, 1], n_per_class)
    return Xs.astype(float), ys, Xt.astype(float), yt, blocks


class _Fixed(ClassifierMixin, BaseEstimator):
    """A classifier that predicts given labels (to start CoCC at a known point)."""

    def __init__(self, labels=None):
        self.labels = labels

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.asarray(self.labels)


def _mi(P):
    """Mutual information of a dense joint distribution (direct formula)."""
    P = P / P.sum()
    r = P.sum(axis=1, keepdims=True)
    c = P.sum(axis=0, keepdims=True)
    nz = P > 0
    return float(np.sum(P[nz] * np.log(P[nz] / (r @ c)[nz])))


def _indicator(labels, n):
    Z = np.zeros((labels.shape[0], n))
    Z[np.arange(labels.shape[0]), labels] = 1.0
    return Z


def _dense_loss(Nt, Gw, dc, wc, n_classes, k, lam):
    """I(D;W) - I(D^;W^) + lam [I(C;W) - I(C;W^)] from dense arrays."""
    Zd, Zw = _indicator(dc, n_classes), _indicator(wc, k)
    loss = _mi(Nt) - _mi(Zd.T @ Nt @ Zw)
    return loss + lam * (_mi(Gw.T) - _mi(Gw.T @ Zw))


def _kl(p, q):
    nz = p > 0
    if np.any(q[nz] <= 0):
        return np.inf
    return float(np.sum(p[nz] * np.log(p[nz] / q[nz])))


def _reference_itcc(Nt, Gw, dc, wc, n_classes, k, lam, n_iter):
    """Dense co-clustering with the class term, written from the KL formulas.

    Document step: argmin_c KL(f(W|d) || f(w|w^) f(w^|c)); word step:
    argmin_j f(w) KL(f(D|w) || f(d|d^) f(d^|j)) + lam g(w) KL(g(C|w) || g(C|j)).
    Returns the clusters after ``n_iter`` iterations, the losses, and the
    final document assignment against the final tables.
    """
    f = Nt / Nt.sum()
    g = Gw / Gw.sum()
    fd, fw, gw = f.sum(axis=1), f.sum(axis=0), g.sum(axis=1)
    losses = []

    def doc_step(dc, wc):
        Fc = _indicator(dc, n_classes).T @ f @ _indicator(wc, k)
        fwhat = Fc.sum(axis=0)
        new = dc.copy()
        for d in range(f.shape[0]):
            if fd[d] == 0:
                continue
            costs = []
            for c in range(n_classes):
                if Fc[c].sum() == 0:
                    costs.append(np.inf)
                    continue
                q = Fc[c, wc] / Fc[c].sum() * fw / np.where(fwhat[wc] > 0, fwhat[wc], 1)
                costs.append(_kl(f[d] / fd[d], q))
            new[d] = int(np.argmin(costs))
        return new

    for _ in range(n_iter):
        dc = doc_step(dc, wc)
        Zd = _indicator(dc, n_classes)
        Fc = Zd.T @ f @ _indicator(wc, k)
        Gc = g.T @ _indicator(wc, k)
        fdhat = Fc.sum(axis=1)
        new = wc.copy()
        for w in range(f.shape[1]):
            if fw[w] == 0 and gw[w] == 0:
                continue

            def cost(j, w=w):
                total = 0.0
                if fw[w] > 0:
                    if Fc[:, j].sum() == 0:
                        return np.inf
                    q = fd / fdhat[dc] * Fc[dc, j] / Fc[:, j].sum()
                    total += fw[w] * _kl(f[:, w] / fw[w], q)
                if lam > 0 and gw[w] > 0:
                    if Gc[:, j].sum() == 0:
                        return np.inf
                    total += lam * gw[w] * _kl(g[w] / gw[w], Gc[:, j] / Gc[:, j].sum())
                return total

            costs = np.array([cost(j) for j in range(k)])
            best = int(np.argmin(costs))
            if costs[best] < costs[wc[w]] - 1e-12 * abs(costs[wc[w]]):
                new[w] = best
        wc = new
        losses.append(_dense_loss(Nt, Gw, dc, wc, n_classes, k, lam))
    return dc, wc, np.array(losses), doc_step(dc, wc)


def _class_counts(Xs, ys, n_classes):
    return Xs.T @ _indicator(ys, n_classes)


# ------------------------------------------------------------------ exports


def test_exported():
    assert skadapt.CoCC is CoCC
    assert "CoCC" in skadapt.__all__


# ------------------------------------------------------------------ the objective


@pytest.mark.parametrize("lam", [0.0, 0.7])
@pytest.mark.parametrize("n_iter", [1, 2, 4])
def test_steps_and_loss_match_dense_reference(monkeypatch, lam, n_iter):
    """Same start, same steps, same loss as the dense KL / MI formulas.

    With ``lambda_=0`` this is plain information-theoretic co-clustering of
    the target documents and words; the source labels then only choose the
    start (checked by shuffling them below).
    """
    rng = np.random.default_rng(3)
    n_s, n_t, n_words, k = 16, 20, 10, 3
    Xs = rng.gamma(0.6, 1.0, size=(n_s, n_words)) * (rng.random((n_s, n_words)) < 0.6)
    Xt = rng.gamma(0.6, 1.0, size=(n_t, n_words)) * (rng.random((n_t, n_words)) < 0.6)
    ys = np.arange(n_s) % 2
    dc0 = rng.integers(0, 2, n_t)
    wc0 = np.arange(n_words) % k
    monkeypatch.setattr(CoCC, "_initial_word_clusters", lambda self, *a: wc0.copy())
    X, y, _ = source_target_merge(Xs, ys, Xt)
    clf = CoCC(n_word_clusters=k, lambda_=lam, max_iter=n_iter, tol=0.0, init=_Fixed(dc0))
    clf.fit(X, y)
    Gw = _class_counts(Xs, ys, 2)
    dc, wc, losses, final_dc = _reference_itcc(Xt, Gw, dc0, wc0, 2, k, lam, n_iter)
    m = clf.n_iter_
    np.testing.assert_allclose(clf.loss_curve_, losses[:m], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(clf.word_clusters_, wc if m == n_iter else clf.word_clusters_)
    if m == n_iter:
        np.testing.assert_array_equal(clf.document_clusters_, final_dc)
    assert clf._initial_loss == pytest.approx(_dense_loss(Xt, Gw, dc0, wc0, 2, k, lam))
    if lam == 0.0:
        # the source labels (beyond the start) play no part
        shuffled = rng.permutation(ys)
        X2, y2, _ = source_target_merge(Xs, shuffled, Xt)
        other = clone(clf).fit(X2, y2)
        np.testing.assert_array_equal(other.document_clusters_, clf.document_clusters_)
        np.testing.assert_array_equal(other.word_clusters_, clf.word_clusters_)
        np.testing.assert_allclose(other.loss_curve_, clf.loss_curve_, rtol=1e-12)


@st.composite
def _count_problems(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_s = draw(st.integers(2, 25))
    n_t = draw(st.integers(1, 25))
    n_words = draw(st.integers(1, 30))
    n_classes = draw(st.integers(2, 3))
    density = draw(st.floats(0.05, 0.9))
    counts = rng.poisson(2.0, size=(n_s + n_t, n_words)) * (
        rng.random((n_s + n_t, n_words)) < density
    )
    counts[0, 0] += 1  # some source count
    counts[n_s, rng.integers(n_words)] += 1  # some target count
    X = sp.csr_matrix(counts.astype(float))
    ys = np.arange(n_s) % n_classes
    y = np.r_[ys, -np.ones(n_t, dtype=int)]
    params = {
        "n_word_clusters": draw(st.integers(1, 12)),
        "lambda_": draw(st.sampled_from([0.0, 0.1, 0.25, 1.0, 5.0])),
        "random_state": int(rng.integers(1000)),
    }
    return X, y, params


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_count_problems())
def test_loss_never_increases(problem):
    X, y, params = problem
    clf = CoCC(max_iter=15, tol=0.0, **params)
    with np.errstate(all="raise"):  # no log(0), no 0 * inf, no division by zero
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", skadapt.exceptions.EmptyClassWarning)
            clf.fit(X, y)
    curve = np.r_[clf._initial_loss, clf.loss_curve_]
    assert np.all(np.isfinite(curve))
    assert np.all(np.diff(curve) <= 1e-12 * (1 + np.abs(curve[:-1])))
    assert curve[-1] >= -1e-12  # a KL divergence
    assert clf.n_iter_ == clf.loss_curve_.shape[0]
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    target = y == -1
    np.testing.assert_array_equal(
        clf.predict(X[target]), clf.classes_[clf.document_clusters_]
    )


# ------------------------------------------------------------------ behaviour


def test_planted_coclusters_recovered():
    Xs, ys, Xt, yt, blocks = _planted()
    X, y, _ = source_target_merge(Xs, ys, Xt)
    nb_error = np.mean(MultinomialNB().fit(Xs, ys).predict(Xt) != yt)
    clf = CoCC(n_word_clusters=5, lambda_=0.25, random_state=0).fit(X, y)
    assert np.mean(clf.predict(Xt) != yt) == 0.0
    assert nb_error > 0.05  # the start was not already right
    assert adjusted_rand_score(blocks, clf.word_clusters_) == 1.0


def test_predict_agrees_with_document_clusters_and_new_documents():
    Xs, ys, Xt, yt, _ = _planted(seed=1)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    clf = CoCC(n_word_clusters=6, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict(Xt), clf.classes_[clf.document_clusters_])
    # new documents drawn like the target are classified by the same step
    Xs2, _, Xt2, yt2, _ = _planted(seed=2)
    assert np.mean(clf.predict(Xt2) != yt2) < 0.05
    proba = clf.predict_proba(Xt2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(Xt2))
    assert clf.score(Xt2, yt2) > 0.95
    # a document with no known word gets the largest class prior
    empty = np.zeros((1, Xt.shape[1]))
    np.testing.assert_allclose(clf.predict_proba(empty)[0], clf.class_prior_)


def test_row_order_does_not_change_the_clustering():
    Xs, ys, Xt, yt, _ = _planted(seed=4)
    X, y, sd = source_target_merge(Xs, ys, Xt)
    a = CoCC(n_word_clusters=5, random_state=0).fit(X, y)
    perm = np.random.default_rng(0).permutation(X.shape[0])
    b = CoCC(n_word_clusters=5, random_state=0).fit(X[perm], y[perm])
    np.testing.assert_array_equal(a.word_clusters_, b.word_clusters_)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-12)
    # the target rows of b, in b's order, are the target rows of a permuted
    target_in_b = perm[y[perm] == -1] - Xs.shape[0]
    np.testing.assert_array_equal(b.document_clusters_, a.document_clusters_[target_in_b])
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_sparse_and_dense_agree():
    Xs, ys, Xt, _, _ = _planted(seed=5)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    dense = CoCC(n_word_clusters=5, random_state=0).fit(X, y)
    for fmt in ("csr", "csc"):
        sparse = CoCC(n_word_clusters=5, random_state=0).fit(sp.csr_matrix(X).asformat(fmt), y)
        np.testing.assert_array_equal(sparse.word_clusters_, dense.word_clusters_)
        np.testing.assert_array_equal(sparse.document_clusters_, dense.document_clusters_)
        np.testing.assert_array_equal(sparse.loss_curve_, dense.loss_curve_)
        np.testing.assert_array_equal(
            sparse.predict_proba(sp.csr_matrix(Xt)), dense.predict_proba(Xt)
        )


def test_one_domain_words_and_unseen_words():
    Xs, ys, Xt, yt, _ = _planted(seed=6)
    n_s = Xs.shape[0]
    # a source-only word, a target-only word, and a word in no training row
    Xs = np.c_[Xs, np.arange(n_s) % 3, np.zeros(n_s), np.zeros(n_s)]
    Xt = np.c_[Xt, np.zeros(len(Xt)), np.arange(len(Xt)) % 2, np.zeros(len(Xt))]
    X, y, _ = source_target_merge(Xs, ys, Xt)
    clf = CoCC(n_word_clusters=5, random_state=0).fit(X, y)
    assert clf.word_clusters_[-3] >= 0 and clf.word_clusters_[-2] >= 0
    assert clf.word_clusters_[-1] == -1
    assert np.all(np.diff(np.r_[clf._initial_loss, clf.loss_curve_]) <= 1e-12)
    # the unseen word is ignored by predict
    Xt_more = Xt.copy()
    Xt_more[:, -1] = 5.0
    np.testing.assert_array_equal(clf.predict_proba(Xt_more), clf.predict_proba(Xt))


def test_empty_document_cluster_is_reseeded():
    Xs, ys, Xt, yt, _ = _planted(seed=7)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    init = DummyClassifier(strategy="constant", constant=0)  # every target row in class 0
    clf = CoCC(n_word_clusters=4, init=init, random_state=0).fit(X, y)
    assert set(np.unique(clf.document_clusters_)) == {0, 1}
    assert np.all(np.diff(np.r_[clf._initial_loss, clf.loss_curve_]) <= 1e-12)
    # (from such a start the hard alternation ends in a poor local minimum:
    # reseeding keeps the class alive, it does not find the right clusters)


def test_more_word_clusters_than_words():
    Xs, ys, Xt, _, _ = _planted(seed=8)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    clf = CoCC(random_state=0).fit(X, y)  # 128 > 30 words
    assert clf.n_word_clusters_ == Xs.shape[1]  # 30
    assert clf.log_word_cluster_proba_.shape == (2, Xs.shape[1])


def test_verbose_prints_one_line_per_iteration(capsys):
    Xs, ys, Xt, _, _ = _planted(seed=9)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    clf = CoCC(n_word_clusters=4, verbose=1, random_state=0).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("CoCC")]
    assert len(lines) == clf.n_iter_
    assert "loss" in lines[0] and lines[0].rstrip().endswith(" s")


def test_same_seed_same_model_and_float32():
    Xs, ys, Xt, _, _ = _planted(seed=10)
    X, y, _ = source_target_merge(Xs, ys, Xt)
    a = CoCC(n_word_clusters=4, random_state=3).fit(X, y)
    b = CoCC(n_word_clusters=4, random_state=3).fit(X.astype(np.float32), y)
    np.testing.assert_array_equal(a.word_clusters_, b.word_clusters_)
    np.testing.assert_array_equal(a.document_clusters_, b.document_clusters_)


# ------------------------------------------------------------------ errors


def test_bad_input_errors_name_cocc():
    Xs, ys, Xt, _, _ = _planted()
    X, y, sd = source_target_merge(Xs, ys, Xt)
    bad = X.copy()
    bad[0, 0] = -1.0
    with pytest.raises(ValueError, match="Negative values.*CoCC"):
        CoCC().fit(bad, y)
    with pytest.raises(ValueError, match="Negative values.*CoCC"):
        CoCC().fit(sp.csr_matrix(bad), y)
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="CoCC"):
        CoCC().fit(bad, y)
    with pytest.raises(ValueError, match="CoCC.*no target row"):
        CoCC().fit(X, y, sample_domain=np.ones_like(sd))
    with pytest.raises(ValueError, match="CoCC.*target rows hold no count"):
        CoCC().fit(np.r_[Xs, 0 * Xt], y)
    with pytest.raises(ValueError, match="CoCC.*one class"):
        CoCC().fit(X, np.where(y == 1, 0, y))
    clf = CoCC(n_word_clusters=4).fit(X, y)
    with pytest.raises(ValueError, match="Negative values.*CoCC"):
        clf.predict(-X)


def test_no_target_rows_warns_and_clusters_the_training_rows():
    Xs, ys, _, _, _ = _planted()
    with pytest.warns(NoTargetWarning):
        clf = CoCC(n_word_clusters=4, random_state=0).fit(Xs, ys)
    assert clf.document_clusters_.shape == (Xs.shape[0],)
    assert np.mean(clf.predict(Xs) == ys) > 0.9
