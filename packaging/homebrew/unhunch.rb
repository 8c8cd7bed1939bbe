class Unhunch < Formula
  desc "Quiet break and posture reminders: stand up, stretch your neck, decompress your spine"
  homepage "https://github.com/unhunch/unhunch"
  url "https://github.com/unhunch/unhunch/archive/refs/tags/v0.1.0.tar.gz"
  # sha256 of the release tarball, filled in when v0.1.0 is tagged
  license any_of: ["MIT", "Apache-2.0"]
  head "https://github.com/unhunch/unhunch.git", branch: "main"

  depends_on "rust" => :build

  def install
    system "cargo", "install", *std_cargo_args
    man1.install Dir["packaging/man/*.1"]
    bash_completion.install "packaging/completions/unhunch.bash" => "unhunch"
    zsh_completion.install "packaging/completions/_unhunch"
    fish_completion.install "packaging/completions/unhunch.fish"
  end

  service do
    run [opt_bin/"unhunch", "run"]
    keep_alive successful_exit: false
    process_type :interactive
  end

  test do
    assert_match "is valid", shell_output("#{bin}/unhunch config check")
    assert_match "wind-down", shell_output("#{bin}/unhunch plan --days 1")
  end
end
