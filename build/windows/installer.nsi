; dStor Uploader's per-user Windows installer, built by build/windows/build.sh
; (makensis -D… with the values of FyneApp.toml). No administrator rights:
; everything goes under the user's own folders and HKEY_CURRENT_USER.
;
; Silent install: dstor-uploader-setup.exe /S (all default parts, including
; "Send to"). Silent uninstall: uninstall.exe /S keeps the history;
; uninstall.exe /S /PURGE removes it too.

; 64-bit like the app, so Wine needs no 32-bit part (wine32) to run it.
Target amd64-unicode
!include "MUI2.nsh"
!include "FileFunc.nsh"

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define EXE_NAME "dstor-uploader.exe"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
SetCompressor /SOLID lzma
VIProductVersion "${VERSION4}"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "FileDescription" "${APP_NAME} setup"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "The ${APP_NAME} authors"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE_NAME}"
!define MUI_FINISHPAGE_RUN_TEXT "Open ${APP_NAME}"
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; A running app's .exe cannot be replaced or deleted (Windows keeps it open
; while it runs), and NSIS would go on without it: the old version left in
; place, the install said to have worked. So ask for the app to be closed
; first; silent (/S), or if the person cancels, stop with exit status 2.
!macro WaitUntilClosed WHAT
  IfFileExists "$INSTDIR\${EXE_NAME}" 0 closed_${WHAT}
  retry_${WHAT}:
    ClearErrors
    FileOpen $0 "$INSTDIR\${EXE_NAME}" a
    IfErrors 0 open_${WHAT}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
      "${APP_NAME} is running, so it cannot be ${WHAT}.$\r$\n$\r$\nClose its window, then choose Retry." \
      /SD IDCANCEL IDRETRY retry_${WHAT}
    SetErrorLevel 2
    Abort "${APP_NAME} is running: close it, then run this again."
  open_${WHAT}:
    FileClose $0
  closed_${WHAT}:
!macroend

Section "${APP_NAME} (required)" SecApp
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  !insertmacro WaitUntilClosed updated
  File "/oname=${EXE_NAME}" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\${EXE_NAME}" 0

  ; "Open with" for every kind of file, and Start > Run / `start` by name.
  WriteRegStr HKCU "Software\Classes\Applications\${EXE_NAME}" "FriendlyAppName" "${APP_NAME}"
  WriteRegStr HKCU "Software\Classes\Applications\${EXE_NAME}\DefaultIcon" "" "$INSTDIR\${EXE_NAME},0"
  WriteRegStr HKCU "Software\Classes\Applications\${EXE_NAME}\shell\open\command" "" '"$INSTDIR\${EXE_NAME}" "%1"'
  WriteRegStr HKCU "Software\Classes\*\OpenWithList\${EXE_NAME}" "" ""
  WriteRegStr HKCU "Software\Microsoft\Windows\CurrentVersion\App Paths\${EXE_NAME}" "" "$INSTDIR\${EXE_NAME}"

  ; Apps & features.
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE_NAME},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "URLInfoAbout" "${WEBSITE}"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

Section "Send to > ${APP_NAME}" SecSendTo
  SetShellVarContext current
  CreateShortcut "$SENDTO\${APP_NAME}.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\${EXE_NAME}" 0
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "The app, its Start menu entry and Open with for every kind of file."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecSendTo} "Right-click files or folders, Send to, ${APP_NAME}: they are uploaded."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  SetShellVarContext current
  !insertmacro WaitUntilClosed removed
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$SENDTO\${APP_NAME}.lnk"
  DeleteRegKey HKCU "Software\Classes\Applications\${EXE_NAME}"
  DeleteRegKey HKCU "Software\Classes\*\OpenWithList\${EXE_NAME}"
  DeleteRegKey HKCU "Software\Microsoft\Windows\CurrentVersion\App Paths\${EXE_NAME}"
  DeleteRegKey HKCU "${UNINST_KEY}"
  Delete "$INSTDIR\${EXE_NAME}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ; The upload history, the queue and the settings stay unless asked: a
  ; question (answered No when silent), or /PURGE on the command line.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  IfErrors 0 purge
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
    "Also delete your upload history, the upload queue and your settings?$\r$\n$\r$\n($LOCALAPPDATA\${DATA_DIR_NAME})$\r$\n$\r$\nChoose No to keep them for a later install." \
    /SD IDNO IDYES purge
  Goto done
purge:
  RMDir /r "$LOCALAPPDATA\${DATA_DIR_NAME}"
done:
SectionEnd
