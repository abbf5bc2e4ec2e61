"""CoCC: co-clustering based classification (Dai, Xue, Yang & Yu, KDD 2007).

The objective and the alternating steps are those of METHODS.md section 2:
information-theoretic co-clustering (Dhillon, Mallela & Modha, KDD 2003) of
the target documents and the words, plus ``lambda_`` times the loss of the
word clustering with respect to the source classes.  Layout:

* ``_mutual_information`` (of a dense or sparse joint count table) and
  ``_loss`` (the objective from the cluster aggregates);
* ``_proba_from_scores`` turns the document scores of the jitted
  :func:`~skadapt.coclustering._numba.doc_scores` into probabilities; every
  document assignment (in fit and in predict) is the argmax of it, so that
  ``predict`` agrees with ``document_clusters_`` on the rows seen in fit;
* ``_reseed_documents`` / ``_reseed_words`` fill empty clusters without
  increasing the loss;
* :class:`CoCC`.

Notation in the code: ``N`` target counts (CSR, documents x words), ``G``
source counts per word and class (words x classes), ``F`` target counts per
(document cluster, word cluster), ``Gc`` source counts per (class, word
cluster), ``T`` and ``S`` the total target and source counts.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, clone
from sklearn.cluster import KMeans
from sklearn.naive_bayes import MultinomialNB
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_non_negative

from ..base import BaseDAEstimator
from ..exceptions import EmptyClassWarning
from ._numba import (
    doc_scores,
    group_sum,
    rows_by_word_cluster,
    word_step,
    words_by_doc_cluster,
)
from ..utils._sklearn_compat import HasMethods, Interval

__all__ = ["CoCC"]

# A word moves only when it gains more than this (relative) in the word step;
# it keeps rounding noise from moving words back and forth between ties.
_WORD_RTOL = 1e-12
# Documents whose impossible mass is within this of the smallest are candidates.
_IMPOSSIBLE_ATOL = 1e-12


def _xlogx_sum(values):
    values = values[values > 0]
    return float(np.sum(values * np.log(values)))


def _mutual_information(counts, total):
    """Mutual information (nats) of the joint distribution ``counts / total``.

    ``counts`` is a dense array or a sparse matrix of non-negative counts;
    zero cells contribute nothing (``0 log 0 = 0``).
    """
    if total <= 0:
        return 0.0
    if sp.issparse(counts):
        cells = counts.data / total
        rows = np.asarray(counts.sum(axis=1)).ravel() / total
        cols = np.asarray(counts.sum(axis=0)).ravel() / total
    else:
        cells = np.asarray(counts, dtype=np.float64).ravel() / total
        rows = counts.sum(axis=1) / total
        cols = counts.sum(axis=0) / total
    return _xlogx_sum(cells) - _xlogx_sum(rows) - _xlogx_sum(cols)


def _log_ratio(num, den):
    """``log(num / den)`` with ``-inf`` wherever ``num == 0`` (or ``den == 0``)."""
    out = np.full(num.shape, -np.inf)
    den = np.broadcast_to(den, num.shape)
    ok = (num > 0) & (den > 0)
    out[ok] = np.log(num[ok] / den[ok])
    return out


def _proba_from_scores(score, impossible, total, prior):
    """Probabilities of the document clusters from the document scores.

    A document with mass is compared only with the clusters that explain the
    largest share of it (the smallest ``impossible`` share; for a document
    seen in fit its own cluster explains all of it), by a softmax of
    ``score = -KL(f(Wc | d) || f(Wc | c)) + const``.  A document without
    mass (no known word) gets ``prior``.
    """
    n_docs, n_clusters = score.shape
    proba = np.empty((n_docs, n_clusters))
    empty = total <= 0
    if empty.any():
        proba[empty] = prior
    rows = ~empty
    if rows.any():
        imp = impossible[rows]
        allowed = imp <= imp.min(axis=1, keepdims=True) + _IMPOSSIBLE_ATOL
        s = np.where(allowed, score[rows], -np.inf)
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        proba[rows] = e / e.sum(axis=1, keepdims=True)
    return proba


def _reseed_documents(labels, A, score, masses, n_clusters):
    """Put one document into every document cluster that has no mass.

    The document moved is the one that the current clustering explains
    worst (largest ``f(d) KL(f(Wc|d) || f(Wc|c(d)))``) among the clusters
    that keep another document with mass.  Its term of the loss drops to its
    minimum (the new cluster's word-cluster profile is its own), the other
    terms do not change, and the recomputation of the aggregates can only
    lower the loss further: the loss does not increase.
    """
    cluster_mass = np.bincount(labels, weights=masses, minlength=n_clusters)
    empty = np.flatnonzero(cluster_mass <= 0)
    if empty.size == 0:
        return labels, 0
    labels = labels.copy()
    has_mass = masses > 0
    members = np.bincount(labels[has_mass], minlength=n_clusters)
    with np.errstate(divide="ignore", invalid="ignore"):
        prof = A / masses[:, None]
        own = np.where(A > 0, prof * np.log(np.where(A > 0, prof, 1.0)), 0.0).sum(axis=1)
    cost = masses * (own - score[np.arange(labels.shape[0]), labels])
    cost[~has_mass] = -np.inf
    moved = 0
    for c in empty:
        candidates = has_mass & (members[labels] >= 2) & np.isfinite(cost)
        if not candidates.any():
            break
        d = int(np.flatnonzero(candidates)[np.argmax(cost[candidates])])
        members[labels[d]] -= 1
        members[c] += 1
        labels[d] = c
        cost[d] = -np.inf
        moved += 1
    return labels, moved


def _reseed_words(labels, best, own, has_mass, n_clusters):
    """Put one word into every word cluster that holds no word with mass.

    Same argument as for the documents: the word moved (largest share of the
    loss ``own - best``, from a cluster that keeps another word) gets a
    cluster of its own, where its terms are minimal.
    """
    members = np.bincount(labels[has_mass], minlength=n_clusters)
    empty = np.flatnonzero(members == 0)
    if empty.size == 0:
        return labels, 0
    labels = labels.copy()
    cost = np.where(has_mass, own - best, -np.inf)
    order = np.argsort(-cost, kind="stable")
    moved = 0
    position = 0
    for c in empty:
        while position < order.size:
            w = order[position]
            position += 1
            if has_mass[w] and members[labels[w]] >= 2:
                members[labels[w]] -= 1
                members[c] += 1
                labels[w] = c
                moved += 1
                break
        else:
            break
    return labels, moved


class CoCC(ClassifierMixin, BaseDAEstimator):
    """Co-clustering based classification of out-of-domain documents.

    CoCC (Dai, Xue, Yang & Yu, KDD 2007) classifies unlabeled target
    documents with labeled source documents of the same classes and no
    target label.  It co-clusters the target documents and the words
    (information-theoretic co-clustering), while the word clusters are also
    asked to keep the information the words carry about the source classes:
    the source labels flow to the target through the shared word clusters.
    There is one document cluster per class, started from the predictions
    of a classifier trained on the source, and a target document's class is
    its final cluster.

    Parameters
    ----------
    n_word_clusters : int, default=128
        Number of word clusters ``k``; at most one per feature (with fewer
        features, every word is its own cluster).  Ours: the paper's value
        is not known.
    lambda_ : float, default=0.25
        Weight of the class term ``I(C; W) - I(C; W^)`` in the objective.
        ``0`` gives plain co-clustering of the target documents started from
        ``init``'s predictions.  Ours, not the paper's.
    max_iter : int, default=20
        Maximum number of iterations (a document step then a word step).
    tol : float, default=1e-6
        Stop when no assignment changes, or when an iteration lowers the
        objective by less than ``tol`` times its value.
    init : classifier, default=None
        Fitted on the labeled source rows; its predictions on the target
        documents start the document clusters.  ``None`` means
        ``MultinomialNB()``.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means that starts the word clusters.
    verbose : int, default=0
        If positive, prints one line per iteration: the objective, the
        number of documents and words that moved, and the elapsed time.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels; document cluster ``c`` is class ``classes_[c]``.
    document_clusters_ : ndarray of shape (n_target,)
        Document cluster (index into ``classes_``) of each target row, in
        input order: the same as ``predict`` gives for these rows.
    word_clusters_ : ndarray of shape (n_features_in_,)
        Word cluster of each feature; ``-1`` for a feature that occurs in no
        training row (it is then ignored by ``predict``).
    n_word_clusters_ : int
        Number of word clusters used, ``min(n_word_clusters, n_features_in_)``.
    loss_curve_ : ndarray of shape (n_iter_,)
        The objective after each iteration; it never increases.
    n_iter_ : int
        Number of iterations run.
    converged_ : bool
        Whether fitting stopped before ``max_iter`` (no assignment changed,
        or the decrease fell below ``tol``).
    log_word_cluster_proba_ : ndarray of shape (n_classes, n_word_clusters_)
        ``log f(word cluster | document cluster)`` on the target documents,
        ``-inf`` where zero: the table that assigns documents.
    class_prior_ : ndarray of shape (n_classes,)
        Share of the target count mass in each document cluster; the
        prediction for a document without any known word.
    init_ : classifier
        The fitted ``init`` classifier.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    skadapt.LabeledOnly : The source-only baseline (e.g. with ``MultinomialNB``).

    Notes
    -----
    **Objective.**  With ``f`` the joint distribution of target documents and
    words (normalised counts) and ``g`` that of source classes and words,
    document clusters ``D^`` and word clusters ``W^``, CoCC minimises

    ``L = I(D; W) - I(D^; W^) + lambda_ * [I(C; W) - I(C; W^)]``,

    which equals ``KL(f || f^) + lambda_ KL(g || g^)`` with
    ``f^(d, w) = f(d^, w^) f(d | d^) f(w | w^)`` and
    ``g^(c, w) = g(c, w^) g(w | w^)``.  The two terms and their sum are as
    second-hand sources give the paper (METHODS.md section 2.1).

    **Algorithm (ours: the paper's text was not available).**  Alternating
    exact minimisation, as in Dhillon, Mallela & Modha's co-clustering:

    * document step: every target document goes to the cluster ``c``
      maximising ``sum_w^ f(w^ | d) log f(w^ | c)``;
    * word step: every word goes to the cluster ``w^`` maximising
      ``sum_c f(c, w) log f(c | w^) + lambda_ sum_c g(c, w) log g(c | w^)``;
      a word that occurs in one domain only keeps the term it has;
    * the cluster aggregates are recomputed after each step, so each step
      is the exact minimiser given the other side and the loss cannot
      increase (``loss_curve_`` records it).

    A move to a cluster whose probability is zero where the document or word
    has mass (an infinite loss) is never made: zero probabilities are kept as
    ``-inf`` and no logarithm of zero is taken.  An empty cluster is reseeded
    with the document (or word) the clustering explains worst, taken from a
    cluster that keeps another member; that move lowers the mover's own term
    to its minimum and leaves the others unchanged, so reseeding does not
    increase the loss either.

    Start (ours): document clusters from ``init`` (MultinomialNB on the
    source, a common choice), word clusters from a weighted k-means on the
    class profile ``g(C | w)`` of each word (for a word absent from the
    source, its profile over the initial document clusters).  Each iteration
    is two passes over the non-zeros plus dense work of size
    ``(n_target + n_features) * k * n_classes`` (jitted with numba); no
    documents-by-words dense array is formed.

    **Output.**  After the last iteration, the document clusters are set by
    one more document step against the final table
    ``log_word_cluster_proba_`` (it cannot raise the loss), and ``predict``
    runs the same step on any rows, so it reproduces
    ``document_clusters_`` on the target rows of fit.  ``predict_proba`` is
    a softmax of the step's score, ``-KL(f(W^ | d) || f(W^ | c))`` up to a
    per-document constant: a similarity, not a calibrated probability.
    Words never seen in fit are ignored; a document that explains no word
    cluster of some class (a word cluster that class never holds) is
    compared only with the clusters that explain most of its mass.

    **No target rows.**  A ``sample_domain`` without a negative value is an
    error.  A plain ``fit(X, y)`` with every row labeled follows skadapt's
    convention (API.md section 5): it emits a
    :class:`~skadapt.exceptions.NoTargetWarning` and co-clusters the training
    rows themselves.  We keep this fallback, rather than an error, so that
    scikit-learn's ``check_estimator`` runs every check on CoCC for real.

    Labeled target rows (given by ``sample_domain``) are clustered as target
    rows; their labels are not used.  Defaults ``n_word_clusters=128``,
    ``lambda_=0.25``, ``max_iter=20`` are ours; the paper's are not known.

    References
    ----------
    .. [1] W. Dai, G.-R. Xue, Q. Yang, Y. Yu, "Co-clustering based
       classification for out-of-domain documents", KDD 2007.
    .. [2] I. S. Dhillon, S. Mallela, D. S. Modha, "Information-theoretic
       co-clustering", KDD 2003.

    Examples
    --------
    >>> import numpy as np
    >>> from skadapt import CoCC
    >>> from skadapt.utils import source_target_merge
    >>> rng = np.random.default_rng(0)
    >>> # two classes; the target uses other words of the same topics
    >>> p_a = np.r_[0.4, 0.1, 0.4, 0.1, 0.0, 0.0] + 0.01
    >>> p_b = np.r_[0.1, 0.4, 0.0, 0.0, 0.4, 0.1] + 0.01
    >>> Xs = np.vstack([rng.multinomial(30, p_a / p_a.sum(), 20),
    ...                 rng.multinomial(30, p_b / p_b.sum(), 20)])
    >>> ys = np.repeat([0, 1], 20)
    >>> q_a = np.r_[0.3, 0.0, 0.2, 0.5, 0.0, 0.0] + 0.01
    >>> q_b = np.r_[0.0, 0.3, 0.0, 0.0, 0.2, 0.5] + 0.01
    >>> Xt = np.vstack([rng.multinomial(30, q_a / q_a.sum(), 15),
    ...                 rng.multinomial(30, q_b / q_b.sum(), 15)])
    >>> X, y, sample_domain = source_target_merge(Xs, ys, Xt)
    >>> clf = CoCC(n_word_clusters=4, random_state=0).fit(X, y)
    >>> (clf.predict(Xt) == np.repeat([0, 1], 15)).mean()
    np.float64(1.0)
    >>> bool(np.all(np.diff(clf.loss_curve_) <= 1e-12))
    True
    """

    _require_classes = True

    _parameter_constraints = {
        "n_word_clusters": [Interval(Integral, 1, None, closed="left")],
        "lambda_": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "init": [HasMethods(["fit", "predict"]), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_word_clusters=128,
        *,
        lambda_=0.25,
        max_iter=20,
        tol=1e-6,
        init=None,
        random_state=None,
        verbose=0,
    ):
        self.n_word_clusters = n_word_clusters
        self.lambda_ = lambda_
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.random_state = random_state
        self.verbose = verbose

    def _accepts_sparse(self):
        return True

    def __sklearn_is_fitted__(self):
        # ``lambda_`` is a parameter whose name ends with "_": look for a fitted one
        return hasattr(self, "word_clusters_")

    # ------------------------------------------------------------------ fit

    @staticmethod
    def _counts(X, name):
        """Validated counts as float64 CSR with sorted, summed indices."""
        check_non_negative(X, f"{name} (CoCC expects word counts or weights)")
        X = sp.csr_matrix(X, dtype=np.float64)  # a copy: never modify the user's data
        X.sum_duplicates()
        X.eliminate_zeros()
        return X

    def _fit(self, X, y, split, random_state):
        start_time = time.perf_counter()
        X = self._counts(X, "CoCC.fit")
        source_rows = np.flatnonzero(split.labeled_source)
        target_rows = np.flatnonzero(split.target)
        check_classification_targets(y[source_rows])
        self.classes_, y_enc = np.unique(y[source_rows], return_inverse=True)
        n_classes = self.classes_.shape[0]
        n_words = X.shape[1]
        N = X[target_rows]
        Xs = X[source_rows]
        T = float(N.sum())
        S = float(Xs.sum())
        if T <= 0:
            raise ValueError(
                "CoCC: the target rows hold no count (every entry is 0); CoCC needs "
                "target documents with words."
            )
        if S <= 0:
            raise ValueError(
                "CoCC: the labeled source rows hold no count (every entry is 0); CoCC "
                "needs source documents with words."
            )
        onehot = sp.csr_matrix(
            (np.ones(source_rows.shape[0]), (np.arange(source_rows.shape[0]), y_enc)),
            shape=(source_rows.shape[0], n_classes),
        )
        G = np.asarray((Xs.T @ onehot).todense())  # words x classes
        k = min(self.n_word_clusters, n_words)
        self.n_word_clusters_ = k
        lam = float(self.lambda_)
        f_scale = 1.0 / T
        g_scale = lam / S
        doc_mass = np.asarray(N.sum(axis=1)).ravel()
        word_f = np.asarray(N.sum(axis=0)).ravel()
        word_g = G.sum(axis=1)
        # the constants I(D; W) and I(C; W) of the objective
        i_dw = _mutual_information(N, T)
        i_cw = _mutual_information(G, S)

        # ---- start: document clusters from init, word clusters by k-means
        self.init_ = clone(MultinomialNB() if self.init is None else self.init)
        self.init_.fit(Xs, y[source_rows])
        init_pred = self.init_.predict(N)
        dc = np.searchsorted(self.classes_, init_pred)
        bad = (dc >= n_classes) | (self.classes_[np.minimum(dc, n_classes - 1)] != init_pred)
        if bad.any():
            raise ValueError(
                f"CoCC: `init` {type(self.init_).__name__} predicted labels that are not "
                "source classes; it must be a classifier fitted on the source labels."
            )
        dc = dc.astype(np.int64)
        B = words_by_doc_cluster(N.indptr, N.indices, N.data, dc, n_words, n_classes)
        wc = self._initial_word_clusters(G, word_g, B, word_f, S, T, k, random_state)

        def aggregates(dc, wc):
            A = rows_by_word_cluster(N.indptr, N.indices, N.data, wc, k)
            F = group_sum(dc, A, n_classes)
            Gc = group_sum(wc, G, k).T
            return A, F, Gc

        def loss(F, Gc):
            return (i_dw - _mutual_information(F, T)) + lam * (i_cw - _mutual_information(Gc, S))

        A, F, Gc = aggregates(dc, wc)
        self._initial_loss = loss(F, Gc)
        losses = []
        converged = False
        previous = self._initial_loss
        n_iter = 0
        for n_iter in range(1, self.max_iter + 1):
            # document step, against the tables of the current clustering
            log_table = _log_ratio(F, F.sum(axis=1, keepdims=True))
            score, impossible = doc_scores(A, log_table)
            proba = _proba_from_scores(score, impossible, doc_mass, F.sum(axis=1))
            new_dc = np.argmax(proba, axis=1)
            new_dc, _ = _reseed_documents(new_dc, A, score, doc_mass, n_classes)
            moved_docs = int(np.count_nonzero(new_dc != dc))
            dc = new_dc
            F = group_sum(dc, A, n_classes)
            # word step, against the tables after the document step
            B = words_by_doc_cluster(N.indptr, N.indices, N.data, dc, n_words, n_classes)
            log_f = _log_ratio(F, F.sum(axis=0, keepdims=True))
            log_g = np.ascontiguousarray(_log_ratio(Gc, Gc.sum(axis=0, keepdims=True)))
            new_wc, best, own = word_step(
                B, G, wc, log_f, log_g, f_scale, g_scale, _WORD_RTOL
            )
            new_wc, _ = _reseed_words(new_wc, best, own, wc >= 0, k)
            moved_words = int(np.count_nonzero(new_wc != wc))
            wc = new_wc
            A, F, Gc = aggregates(dc, wc)
            current = loss(F, Gc)
            losses.append(current)
            if self.verbose:
                print(
                    f"CoCC iteration {n_iter}/{self.max_iter}: loss {current:.6f}, moved "
                    f"{moved_docs} documents and {moved_words} words, "
                    f"{time.perf_counter() - start_time:.2f} s",
                    flush=True,
                )
            if moved_docs == 0 and moved_words == 0:
                converged = True
                break
            if previous - current <= self.tol * abs(previous):
                converged = True
                break
            previous = current

        # ---- output: the table that assigns documents, and the last document step
        self.word_clusters_ = wc
        self.log_word_cluster_proba_ = _log_ratio(F, F.sum(axis=1, keepdims=True))
        self.class_prior_ = F.sum(axis=1) / T
        self.document_clusters_ = np.argmax(self._proba_counts(N), axis=1)
        self.loss_curve_ = np.asarray(losses)
        self.n_iter_ = n_iter
        self.converged_ = converged
        present = np.bincount(self.document_clusters_, minlength=n_classes) > 0
        if target_rows.shape[0] >= n_classes and not present.all():
            warnings.warn(
                f"CoCC: no target document was assigned to class(es) "
                f"{self.classes_[~present].tolist()}; the target may not hold them, or "
                "the clustering merged them. Check lambda_ and n_word_clusters.",
                EmptyClassWarning,
                stacklevel=3,
            )
        return self

    def _initial_word_clusters(self, G, word_g, B, word_f, S, T, k, random_state):
        """Weighted k-means on each word's class profile (METHODS.md 2.2)."""
        n_words = G.shape[0]
        labels = np.full(n_words, -1, dtype=np.int64)
        in_source = word_g > 0
        in_target = (word_f > 0) & ~in_source
        profile = np.zeros((n_words, G.shape[1]))
        profile[in_source] = G[in_source] / word_g[in_source, None]
        profile[in_target] = B[in_target] / word_f[in_target, None]
        weight = word_g / S + word_f / T
        seen = np.flatnonzero(in_source | in_target)
        points, inverse = np.unique(profile[seen], axis=0, return_inverse=True)
        inverse = inverse.ravel()
        point_weight = np.bincount(inverse, weights=weight[seen], minlength=points.shape[0])
        if points.shape[0] <= k:
            labels[seen] = inverse
        else:
            km = KMeans(n_clusters=k, n_init=1, random_state=random_state)
            km.fit(points, sample_weight=point_weight)
            labels[seen] = km.labels_[inverse]
        return labels

    # -------------------------------------------------------------- predict

    def _proba_counts(self, N):
        """Document-step probabilities of validated CSR counts."""
        A = rows_by_word_cluster(
            N.indptr, N.indices, N.data, self.word_clusters_, self.n_word_clusters_
        )
        score, impossible = doc_scores(A, self.log_word_cluster_proba_)
        return _proba_from_scores(score, impossible, A.sum(axis=1), self.class_prior_)

    def predict_proba(self, X):
        """Document-cluster probabilities of any documents.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Non-negative word counts or weights.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Softmax over the classes of the document step's score
            ``-KL(f(W^ | d) || f(W^ | c))`` (see Notes); rows sum to one.
        """
        X = self._validate_predict_data(X)
        return self._proba_counts(self._counts(X, "CoCC.predict"))

    def predict(self, X):
        """Class of any documents by the document step of the fitted model.

        For the target rows of fit this gives the classes of
        ``document_clusters_``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Non-negative word counts or weights.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted classes.
        """
        proba = self.predict_proba(X)  # checks fitting first
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        # A model of word proportions (like MultinomialNB, which sets the same
        # tag): it cannot separate scikit-learn's toy blobs by magnitude.
        tags.classifier_tags.poor_score = True
        return tags
