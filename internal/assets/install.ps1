# EdgeBox installer for Windows (PowerShell 5.1 or 7):
#   irm <release-base>/install.ps1 | iex
#   & ([scriptblock]::Create((irm <release-base>/install.ps1))) -Version 0.1.0
#
# Downloads edgebox-<version>-windows-x64.zip from $env:EDGEBOX_INSTALL_BASE,
# checks its SHA-256 against the release's SHA256SUMS, and installs edgebox.exe
# into $env:EDGEBOX_INSTALL\bin (default $HOME\.edgebox\bin). The new binary is
# moved over the old one in the same directory (a running edgebox.exe is first
# renamed aside, as Windows allows), so an interrupted install leaves the
# previous one working.

param([string]$Version = "")

$ErrorActionPreference = "Stop"
$ProgressPreference = "SilentlyContinue" # Invoke-WebRequest's progress bar makes downloads many times slower

$Base = if ($env:EDGEBOX_INSTALL_BASE) { $env:EDGEBOX_INSTALL_BASE } else { "https://edgebox.dev/releases" }
$Install = if ($env:EDGEBOX_INSTALL) { $env:EDGEBOX_INSTALL } else { Join-Path $HOME ".edgebox" }

function Say([string]$m) { [Console]::Error.WriteLine("edgebox install: $m") }
function Die([string]$m) { [Console]::Error.WriteLine("edgebox install: error: $m"); exit 1 }

$arch = $env:PROCESSOR_ARCHITECTURE
if ($arch -ne "AMD64") { Die "unsupported platform: Windows $arch (EdgeBox is built for Windows x64)" }

$tmp = Join-Path ([IO.Path]::GetTempPath()) ("edgebox-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
  if (-not $Version) {
    try { $Version = (Invoke-WebRequest -UseBasicParsing "$Base/latest").Content.Trim() }
    catch { Die "cannot reach $Base/latest to find the newest version" }
    if (-not $Version) { Die "$Base/latest is empty" }
  }
  $Version = $Version.TrimStart("v")
  $name = "edgebox-$Version-windows-x64"
  Say "downloading $name"
  try { Invoke-WebRequest -UseBasicParsing "$Base/v$Version/$name.zip" -OutFile (Join-Path $tmp "$name.zip") }
  catch { Die "download failed: $Base/v$Version/$name.zip (is $Version a released version?)" }
  try { Invoke-WebRequest -UseBasicParsing "$Base/v$Version/SHA256SUMS" -OutFile (Join-Path $tmp "SHA256SUMS") }
  catch { Die "download failed: $Base/v$Version/SHA256SUMS" }

  $expected = Get-Content (Join-Path $tmp "SHA256SUMS") | ForEach-Object {
    $f = $_ -split "\s+"
    if ($f.Count -ge 2 -and $f[1] -ceq "$name.zip") { $f[0] }
  } | Select-Object -First 1
  if (-not $expected) { Die "SHA256SUMS lists no $name.zip" }
  $actual = (Get-FileHash -Algorithm SHA256 (Join-Path $tmp "$name.zip")).Hash.ToLowerInvariant()
  if ($actual -ne $expected.ToLowerInvariant()) { Die "checksum mismatch for $name.zip (expected $expected, got $actual): nothing installed" }

  Expand-Archive -Path (Join-Path $tmp "$name.zip") -DestinationPath $tmp
  $bin = Join-Path $Install "bin"
  New-Item -ItemType Directory -Force -Path $bin | Out-Null
  $target = Join-Path $bin "edgebox.exe"
  $new = Join-Path $bin ".edgebox.new.exe"
  Copy-Item (Join-Path $tmp "$name\edgebox.exe") $new -Force
  # Windows will not overwrite a running executable, but it will rename one.
  if (Test-Path $target) {
    $old = Join-Path $bin (".edgebox.old." + [Guid]::NewGuid() + ".exe")
    Move-Item $target $old
    Remove-Item $old -ErrorAction SilentlyContinue
  }
  Move-Item $new $target
  Say "installed edgebox $Version to $target"
  $onPath = ($env:PATH -split ";") | Where-Object { $_.TrimEnd("\") -ieq $bin.TrimEnd("\") }
  if (-not $onPath) {
    Say "add it to your PATH:  [Environment]::SetEnvironmentVariable('PATH', `"$bin;`" + [Environment]::GetEnvironmentVariable('PATH', 'User'), 'User')"
  }
} finally {
  Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
  Remove-Item -Force (Join-Path (Join-Path $Install "bin") ".edgebox.new.exe") -ErrorAction SilentlyContinue
}
