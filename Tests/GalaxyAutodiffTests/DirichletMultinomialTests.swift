import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import TestSupport

/// The vote-count likelihood: closed forms, its gradient, and agreement with SciPy.
@Suite("Dirichlet-multinomial loss")
struct DirichletMultinomialTests {
    /// Three questions over 7 answers; row 1 has nobody asked the second question.
    static let questions = [0..<3, 3..<5, 5..<7]
    static let counts = Tensor(shape: [2, 7], scalars: [3, 1, 0, 2, 2, 0, 5,
                                                        7, 0, 2, 0, 0, 1, 1])

    @Test func closedForms() {
        // α = (1, 1): every split of n votes is equally likely, P = 1 / (n + 1).
        let alpha = Tensor(shape: [1, 2], scalars: [1, 1])
        let loss = alpha.dirichletMultinomialLoss(counts: Tensor(shape: [1, 2], scalars: [2, 1]), questions: [0..<2]).scalars[0]
        #expect(abs(loss - Float(log(4.0))) < 1e-6)
        // Nobody asked: probability 1.
        #expect(alpha.dirichletMultinomialLoss(counts: Tensor(zeros: [1, 2]), questions: [0..<2]).scalars[0] == 0)
        // One vote: P(answer i) = α_i / A.
        let one = Tensor(shape: [1, 3], scalars: [2, 5, 3]).dirichletMultinomialLoss(counts: Tensor(shape: [1, 3], scalars: [0, 1, 0]), questions: [0..<3])
        #expect(abs(one.scalars[0] - Float(-log(0.5))) < 1e-6)
    }

    @Test(arguments: TestSupport.backends)
    func gradientMatchesFiniteDifferences(backend: any Backend) {
        let alpha = TestSupport.random([2, 7], seed: 41).applying(.square) + 1.5
        let counts = Self.counts.on(backend)
        let errors = GradientCheck.relativeErrors(inputs: [alpha.on(backend)], epsilon: 1e-2) {
            $0[0].dirichletMultinomialLoss(counts: counts, questions: Self.questions).sum()
        }
        #expect(errors[0] < 2e-2, "relative error \(errors[0]) on \(backend.name)")
    }

    @Test func unaskedQuestionsGetNoGradient() {
        let alpha = Variable(parameter: TestSupport.random([2, 7], seed: 42).applying(.square) + 1.5)
        let g = gradients(of: alpha.dirichletMultinomialLoss(counts: Self.counts, questions: Self.questions).sum(), wrt: [alpha])[0].scalars
        #expect(g[7 + 3] == 0 && g[7 + 4] == 0)
        #expect(g[3] != 0 && g[7] != 0)
    }

    /// Against scipy.stats.dirichlet_multinomial, summed over questions, to 1e-6 relative.
    @Test func agreesWithSciPy() throws {
        guard TestSupport.pythonHas("scipy.stats") else {
            print("skipped: SciPy is not installed (python3 -m pip install scipy)"); return
        }
        var g = SeededGenerator(seed: 43)
        let rows = 20, questions = [0..<3, 3..<5, 5..<10, 10..<16]
        let alpha = (0..<(rows * 16)).map { _ in 1 + 99 * g.nextUniform() }
        var counts = [Float](repeating: 0, count: rows * 16)
        for r in 0..<rows { for q in questions { let n = Int(g.nextUniform() * 41); for _ in 0..<n { counts[r * 16 + q.lowerBound + Int(g.nextUniform() * Float(q.count))] += 1 } } }
        counts[5 * 16 + 3] = 0; counts[5 * 16 + 4] = 0  // a question nobody was asked
        let script = """
            import numpy as np
            from scipy.stats import dirichlet_multinomial
            a = np.array(\(alpha.map { Double($0) }), dtype=np.float64).reshape(\(rows), 16)
            k = np.array(\(counts.map { Double($0) }), dtype=np.float64).reshape(\(rows), 16)
            for r in range(\(rows)):
                total = 0.0
                for lo, hi in \(questions.map { [$0.lowerBound, $0.upperBound] }):
                    n = k[r, lo:hi].sum()
                    if n > 0: total -= dirichlet_multinomial.logpmf(k[r, lo:hi], a[r, lo:hi], n)
                print(repr(float(total)))
            """
        let expected = try TestSupport.python(script).split(separator: "\n").compactMap { Double($0) }
        #expect(expected.count == rows)
        for backend in TestSupport.backends {
            let loss = Tensor(shape: [rows, 16], scalars: alpha, backend: backend)
                .dirichletMultinomialLoss(counts: Tensor(shape: [rows, 16], scalars: counts, backend: backend), questions: questions).scalars
            for (mine, theirs) in zip(loss, expected) {
                #expect(abs(Double(mine) - theirs) <= 1e-6 * max(abs(theirs), 1), "\(backend.name): \(mine) vs SciPy \(theirs)")
            }
        }
    }

    @Test func specialFunctionsAgreeWithSciPy() throws {
        guard TestSupport.pythonHas("scipy.special") else {
            print("skipped: SciPy is not installed (python3 -m pip install scipy)"); return
        }
        let xs = [0.01, 0.5, 1, 1.5, 2, 3.7, 6.99, 7, 12.5, 100, 1234.5]
        let out = try TestSupport.python("from scipy.special import gammaln, digamma\nfor x in \(xs): print(repr(float(gammaln(x))), repr(float(digamma(x))))")
        for (x, line) in zip(xs, out.split(separator: "\n")) {
            let v = line.split(separator: " ").compactMap { Double($0) }
            #expect(abs(SpecialFunctions.logGamma(x) - v[0]) <= 1e-12 * max(abs(v[0]), 1), "logGamma(\(x))")
            #expect(abs(SpecialFunctions.digamma(x) - v[1]) <= 1e-12 * max(abs(v[1]), 1), "digamma(\(x))")
        }
    }
}
