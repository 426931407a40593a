// An out-of-tree program that uses an installed tapenet (tests/consumer/run.sh builds it with
// pkg-config and with CMake, against libtapenet.a and libtapenet.so).
//
// It loads the TF.js-saved LSTM(4) -> Dense(2) of tests/fixtures/tfjs_lstm_dense, predicts the
// first sample of that fixture's inputs.json and compares the result with what TF.js computed
// (expected.json). Prints the prediction; exit 0 when every value is within 1e-5 of TF.js's.
//
//   ./consumer_predict tests/fixtures/tfjs_lstm_dense/model.json
#include <tapenet/tapenet.h>
#include <tapenet/train/load_model.h>

#include <cmath>
#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s MODEL.json\n", argv[0]);
        return 2;
    }
    try {
        const auto model = tn::load_model(argv[1]);
        // (1, T = 5, D = 3)
        const tn::Tensor x = tn::Tensor::from_vector(
            {1.7241860628128052f, -0.09949329495429993f, 0.15608900785446167f, 1.2726117372512817f, 0.0363912507891655f,
             1.7702906131744385f, -0.3481685221195221f, 0.7508881688117981f, -0.8956822752952576f, 1.091841220855713f,
             -0.19652661681175232f, -1.6984504461288452f, -1.0375481843948364f, -1.0015226602554321f,
             -0.13226528465747833f},
            {1, 5, 3});
        const tn::Tensor y = model->predict(x);
        const float expected[] = {0.08134262263774872f, -0.4919546842575073f};
        if (y.numel() != 2) {
            std::fprintf(stderr, "expected 2 outputs, got %lld\n", static_cast<long long>(y.numel()));
            return 1;
        }
        double worst = 0;
        for (int i = 0; i < 2; ++i) worst = std::fmax(worst, std::fabs(double(y.data()[i]) - expected[i]));
        std::printf("prediction %.7f %.7f, max abs error against TF.js %.2g\n", y.data()[0], y.data()[1], worst);
        return worst <= 1e-5 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
