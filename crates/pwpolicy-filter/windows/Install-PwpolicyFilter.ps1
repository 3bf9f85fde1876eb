<#
.SYNOPSIS
    Installs (or, with -Uninstall, removes) the pwpolicy password filter on a
    domain controller. Run as Administrator on every writable DC, then reboot.

.DESCRIPTION
    Install:   copies pwpolicyfilt.dll to %SystemRoot%\System32, adds
               "pwpolicyfilt" to HKLM\SYSTEM\CurrentControlSet\Control\Lsa
               "Notification Packages" (keeping what is there), registers the
               event source, optionally sets HKLM\SOFTWARE\pwpolicy\ConfigPath.
    Uninstall: removes "pwpolicyfilt" from Notification Packages and the
               ConfigPath value; the DLL is deleted after the reboot that
               unloads it (LSASS keeps it open until then).

.EXAMPLE
    .\Install-PwpolicyFilter.ps1 -Dll .\pwpolicyfilt.dll -ConfigPath C:\ProgramData\pwpolicy\pwpolicy.toml
.EXAMPLE
    .\Install-PwpolicyFilter.ps1 -Uninstall
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string]$Dll = (Join-Path $PSScriptRoot 'pwpolicyfilt.dll'),
    [string]$ConfigPath,
    [switch]$Uninstall
)
$ErrorActionPreference = 'Stop'

$name = 'pwpolicyfilt'
$lsa = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa'
$settings = 'HKLM:\SOFTWARE\pwpolicy'
$target = Join-Path $env:SystemRoot "System32\$name.dll"

$packages = @((Get-ItemProperty -Path $lsa -Name 'Notification Packages').'Notification Packages')

if ($Uninstall) {
    $kept = @($packages | Where-Object { $_ -ne $name })
    Set-ItemProperty -Path $lsa -Name 'Notification Packages' -Type MultiString -Value $kept
    if (Test-Path $settings) { Remove-ItemProperty -Path $settings -Name 'ConfigPath' -ErrorAction SilentlyContinue }
    Write-Host "Removed $name from Notification Packages. Reboot, then delete $target."
    return
}

if (-not (Test-Path $Dll)) { throw "no DLL at $Dll" }
if ((Get-ItemProperty -Path $lsa -Name 'RunAsPPL' -ErrorAction SilentlyContinue).RunAsPPL -ge 1) {
    Write-Warning 'LSA protection (RunAsPPL) is on: LSASS loads only Microsoft-signed filters, so it will not load pwpolicyfilt.'
}
Copy-Item -Path $Dll -Destination $target -Force
if ($packages -notcontains $name) {
    Set-ItemProperty -Path $lsa -Name 'Notification Packages' -Type MultiString -Value ($packages + $name)
}
if (-not [System.Diagnostics.EventLog]::SourceExists($name)) {
    New-EventLog -LogName Application -Source $name
}
if ($ConfigPath) {
    if (-not (Test-Path $settings)) { New-Item -Path $settings | Out-Null }
    Set-ItemProperty -Path $settings -Name 'ConfigPath' -Type String -Value $ConfigPath
}
Write-Host "Installed $target and added $name to Notification Packages. Reboot to load it."
