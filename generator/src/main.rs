fn main() -> std::process::ExitCode {
    gca::cli::main()
}
