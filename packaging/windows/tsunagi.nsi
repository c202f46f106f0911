; The Windows installer of Tsunagi (NSIS 3, Debian's nsis package): per user, no administrator rights. The
; program goes to %LOCALAPPDATA%\Programs\Tsunagi with a Start-menu entry; the records stay in
; %LOCALAPPDATA%\Tsunagi, which the uninstaller keeps unless the user asks (a check box, or /DELETEDATA when silent).
; Built by scripts/build-windows.sh package: makensis -DSTAGE=<folder with tsunagi.exe, assets, README-ja.txt>
;   -DVERSION=0.1.0 -DOUTFILE=<Tsunagi-Setup.exe>
; A 64-bit installer for a 64-bit program (and Wine in CI, which runs 64-bit programs only).
Target amd64-unicode
!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "つなぎ (Tsunagi)"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Tsunagi"
RequestExecutionLevel user
SetCompressor /SOLID lzma

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Tsunagi"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Japanese"
!insertmacro MUI_LANGUAGE "English"

Section "Tsunagi"
  SetOutPath "$INSTDIR"
  File "${STAGE}\tsunagi.exe"
  File "${STAGE}\README-ja.txt"
  SetOutPath "$INSTDIR\assets"
  File /r "${STAGE}\assets\*.*"
  SetOutPath "$INSTDIR"
  CreateShortCut "$SMPROGRAMS\つなぎ.lnk" "$INSTDIR\tsunagi.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "つなぎ (Tsunagi)"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Tsunagi"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\tsunagi.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "un.Tsunagi" UninstallProgram
  SectionIn RO
  Delete "$SMPROGRAMS\つなぎ.lnk"
  RMDir /r "$INSTDIR\assets"
  Delete "$INSTDIR\tsunagi.exe"
  Delete "$INSTDIR\README-ja.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd

; Off unless chosen: the records, the enrollment and anything not yet sent are in this folder.
Section /o "un.記録のデータも削除する（未送信の記録も失われます）" UninstallData
  RMDir /r "$LOCALAPPDATA\Tsunagi"
SectionEnd

Function un.onInit
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/DELETEDATA" $1
  ${IfNot} ${Errors}
    SectionSetFlags ${UninstallData} ${SF_SELECTED}
  ${EndIf}
FunctionEnd
