fn main() {
    std::process::exit(carepath::cli::run());
}
